"""The chat half of the fake OpenAI server: the request rules of
``POST /v1/chat/completions`` and ``POST /v1/responses`` (API reference
"Create chat completion", "Create a model response"; guide "Structured
Outputs" for ``json_object``'s rule that the word JSON be in the messages;
guide "Reasoning models": o-series and gpt-5 models take only the default
temperature), and the API's error shape."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse

from tests.fake_openai_schema import SchemaRefused, check_strict

CHAT_MODELS = {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano"}
CHAT_MODELS |= {"gpt-5", "gpt-5-mini", "o3", "o4-mini"}
CHAT_ARGS = {"model", "messages", "temperature", "top_p", "n", "stream", "stop"}
CHAT_ARGS |= {"max_tokens", "max_completion_tokens", "presence_penalty", "user"}
CHAT_ARGS |= {"frequency_penalty", "logit_bias", "response_format", "seed"}
CHAT_ARGS |= {"tools", "tool_choice", "parallel_tool_calls", "logprobs", "store"}
CHAT_ARGS |= {"top_logprobs", "stream_options", "service_tier", "metadata"}
CHAT_ARGS |= {"reasoning_effort", "modalities", "audio", "prediction", "verbosity"}
CHAT_ARGS |= {"web_search_options", "safety_identifier", "prompt_cache_key"}
RESPONSES_ARGS = {"model", "input", "instructions", "text", "temperature", "top_p"}
RESPONSES_ARGS |= {"max_output_tokens", "store", "metadata", "user", "stream"}
RESPONSES_ARGS |= {"previous_response_id", "reasoning", "truncation", "include"}
ROLES = {"system", "developer", "user", "assistant", "tool"}
REFUSAL = "I'm sorry, I can't help with that request."
BROKEN = '{"key_topics": "not a list"'


def error(
    status: int,
    message: str,
    param: str | None = None,
    code: str | None = None,
    kind: str = "invalid_request_error",
) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status)


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def check_format(
    fmt: Any, messages: list[dict[str, Any]], where: str
) -> dict[str, Any] | None:
    """The schema to answer with (None: free text), or SchemaRefused."""
    if fmt is None:
        return None
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind == "text":
        return None
    if kind == "json_object":
        if not any("json" in text_of(m.get("content")).lower() for m in messages):
            raise SchemaRefused(
                "'messages' must contain the word 'json' in some form, to use "
                f"'{where}' of type 'json_object'."
            )
        # JSON mode follows a schema only as far as the prompt describes one
        return schema_in_prompt(messages) or {"type": "object", "properties": {}}
    if kind == "json_schema":
        spec = fmt.get("json_schema", {}) if where == "response_format" else fmt
        if not isinstance(spec, dict) or ("schema" not in spec and spec.get("strict")):
            raise SchemaRefused(f"Missing required parameter: '{where}.json_schema'.")
        schema = spec.get("schema", {"type": "object", "properties": {}})
        if spec.get("strict"):
            check_strict(spec.get("name"), schema)
        elif not isinstance(spec.get("name"), str):
            raise SchemaRefused(f"Missing required parameter: '{where}.name'.")
        return schema if isinstance(schema, dict) else None
    raise SchemaRefused(
        f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object', "
        "and 'json_schema'."
    )


def schema_in_prompt(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first JSON schema written into the messages (json_object mode)."""
    decoder = json.JSONDecoder()
    for m in messages:
        text = text_of(m.get("content"))
        at = text.find('{"')
        while at >= 0:
            try:
                found, _ = decoder.raw_decode(text, at)
            except ValueError:
                found = None
            if isinstance(found, dict) and "properties" in found:
                return found
            at = text.find('{"', at + 1)
    return None


def check_chat(body: dict[str, Any], messages: Any, known: Any) -> JSONResponse | None:
    unknown = [k for k in body if k not in CHAT_ARGS]
    if unknown:
        return error(
            400, f"Unrecognized request argument supplied: {unknown[0]}", unknown[0]
        )
    model = body.get("model")
    if not model:
        return error(400, "you must provide a model parameter", "model")
    if not known(model):
        return error(
            404,
            f"The model `{model}` does not exist or you do not have access to it.",
            None,
            "model_not_found",
        )
    if not isinstance(messages, list) or not messages:
        return error(400, "[] is too short - 'messages'", "messages")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            return error(
                400, f"Invalid value for 'messages[{i}].role'.", f"messages[{i}].role"
            )
        if m.get("role") != "assistant" and m.get("content") is None:
            return error(
                400,
                f"Missing required parameter: 'messages[{i}].content'.",
                f"messages[{i}].content",
                "missing_required_parameter",
            )
    t = body.get("temperature")
    if t not in (None, 1) and str(model).startswith(("o1", "o3", "o4", "gpt-5")):
        return error(
            400,
            f"Unsupported value: 'temperature' does not support {t} with this "
            "model. Only the default (1) value is supported.",
            "temperature",
            "unsupported_value",
        )
    if t is not None and (not isinstance(t, int | float) or not 0 <= t <= 2):
        return error(
            400,
            f"Invalid 'temperature': expected a value between 0 and 2, "
            f"but got {t} instead.",
            "temperature",
            "decimal_above_max_value",
        )
    return None
