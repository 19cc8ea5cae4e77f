"""A local OpenAI-compatible HTTP server: the ONE fake of the test suite, a
double that refuses what the real API refuses and answers from the request.

The real ``openai`` client reaches it through the base URL settings. What it
copies from the real API (API reference pages named; details in the modules
it uses):

- Errors have the API's shape ``{"error": {"message", "type", "param",
  "code"}}``: 400 ``invalid_request_error`` for a request that breaks a rule,
  404 ``model_not_found`` for an unknown model, 401 ``invalid_api_key`` for a
  wrong key (when a key is scripted), 413 for an audio file over 25 MB.
- ``POST /v1/chat/completions`` (reference "Create chat completion"):
  ``model`` and a non-empty ``messages`` (roles system, developer, user,
  assistant, tool) are required; unknown arguments are refused;
  ``temperature`` is 0-2; ``response_format`` is ``text``, ``json_object``
  (the word "JSON" must appear in the messages) or ``json_schema``, whose
  strict schema is checked by ``tests/fake_openai_schema.py`` (guide
  "Structured Outputs", "Supported schemas"). The answer is an instance of
  the request's own schema (``tests/fake_openai_answers.py``), or a
  ``refusal``; usage counts ~4 characters a token.
- ``POST /v1/responses`` (reference "Create a model response"): ``input``
  (text or messages), ``instructions``, ``text.format`` with the same rules;
  the answer is an ``output_text`` (or ``refusal``) content item.
- ``POST /v1/audio/transcriptions`` (reference "Create transcription"): the
  per-model rules of ``tests/fake_openai_audio.py``; the answer comes from
  the file's real duration and the text registered for its sha256.

Scripting (``POST /admin/script``): ``delay`` per endpoint (seconds),
``fail`` per endpoint (status codes to answer next, e.g. 429, 500),
``invalid_json`` (how many chat answers to break), ``api_key`` (the only key
accepted), ``models`` (extra model names to know). ``POST /admin/transcripts``
registers ``{sha256: [[speaker, text], ...]}``. ``GET /admin/calls`` lists
what it was asked, refused requests included (with ``status``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.e2e.server import free_port
from tests.fake_openai_answers import instance, read_transcript
from tests.fake_openai_audio import (
    DEFAULT_TURNS,
    MODELS,
    Refused,
    check_audio,
    check_known_speakers,
    check_request,
    duration_of,
    render,
)
from tests.fake_openai_chat import (
    BROKEN,
    CHAT_MODELS,
    REFUSAL,
    RESPONSES_ARGS,
    check_chat,
    check_format,
    error,
    text_of,
)
from tests.fake_openai_schema import SchemaRefused


class Script:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.delay: dict[str, float] = {}
        self.fail: dict[str, list[int]] = {}
        self.invalid_json = 0
        self.api_key: str | None = None
        self.models: set[str] = set()
        self.transcripts: dict[str, list[tuple[str, str]]] = {}
        self.calls: list[dict[str, Any]] = []


def build_app(script: Script) -> Starlette:
    def known(model: str) -> bool:
        return model in CHAT_MODELS or model in script.models

    def auth(request: Request) -> JSONResponse | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            return error(401, "You didn't provide an API key.")
        if script.api_key is not None and header[7:] != script.api_key:
            return error(401, "Incorrect API key provided.", None, "invalid_api_key")
        return None

    async def pre(kind: str) -> JSONResponse | None:
        await asyncio.sleep(script.delay.get(kind, 0))
        failures = script.fail.get(kind) or []
        if failures:
            code = failures.pop(0)
            return error(code, f"scripted {code}", kind="server_error")
        return None

    def answer(
        schema: dict[str, Any] | None, messages: list[dict[str, Any]]
    ) -> tuple[str | None, str]:
        """(refusal, content) for the conversation."""
        users = [text_of(m.get("content")) for m in messages if m.get("role") == "user"]
        steer = read_transcript(users[0] if users else "")
        repaired = any(m.get("role") == "assistant" for m in messages)
        if "refuse" in steer.flags:
            return REFUSAL, ""
        if script.invalid_json > 0:
            script.invalid_json -= 1
            return None, BROKEN
        if "invalid json" in steer.flags or (
            "invalid json once" in steer.flags and not repaired
        ):
            return None, BROKEN
        if schema is None:
            return None, "Notes: " + ", ".join(t for t, _ in steer.topics)
        return None, json.dumps(instance(schema, steer))

    async def chat(request: Request) -> Response:
        refused = auth(request)
        try:
            body = await request.json()
        except ValueError:
            body = None
        call: dict[str, Any] = {"endpoint": "chat", "status": 200}
        script.calls.append(call)
        if refused:
            call["status"] = 401
            return refused
        if not isinstance(body, dict):
            call["status"] = 400
            return error(400, "We could not parse the JSON body of your request.")
        messages = body.get("messages") or []
        fmt = body.get("response_format")
        call.update(
            model=body.get("model"),
            temperature=body.get("temperature"),
            response_format=fmt.get("type") if isinstance(fmt, dict) else None,
            schema_name=(fmt.get("json_schema") or {}).get("name")
            if isinstance(fmt, dict)
            else None,
            messages=len(messages),
            last_message=text_of(messages[-1].get("content")) if messages else None,
            first_user=next(
                (
                    text_of(m.get("content"))
                    for m in messages
                    if m.get("role") == "user"
                ),
                None,
            ),
        )
        failure = check_chat(body, messages, known)
        if failure is None:
            try:
                schema = check_format(fmt, messages, "response_format")
            except SchemaRefused as exc:
                failure = error(400, str(exc), "response_format")
        if failure is not None:
            call["status"] = failure.status_code
            call["error"] = json.loads(bytes(failure.body))["error"]["message"]
            return failure
        failed = await pre("chat")
        if failed:
            call["status"] = failed.status_code
            return failed
        refusal, content = answer(schema, messages)
        usage_in = sum(len(text_of(m.get("content"))) for m in messages) // 4 + 1
        usage_out = len(content) // 4 + 1
        call.update(prompt_tokens=usage_in, completion_tokens=usage_out)
        return JSONResponse(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "logprobs": None,
                        "message": {
                            "role": "assistant",
                            "content": None if refusal else content,
                            "refusal": refusal,
                            "annotations": [],
                        },
                    }
                ],
                "usage": {
                    "prompt_tokens": usage_in,
                    "completion_tokens": usage_out,
                    "total_tokens": usage_in + usage_out,
                },
            }
        )

    async def responses(request: Request) -> Response:
        refused = auth(request)
        body = await request.json()
        call: dict[str, Any] = {
            "endpoint": "responses",
            "status": 200,
            "model": body.get("model"),
        }
        script.calls.append(call)
        if refused:
            call["status"] = 401
            return refused
        raw = body.get("input")
        messages = (
            [{"role": "user", "content": raw}]
            if isinstance(raw, str)
            else list(raw or [])
        )
        if body.get("instructions"):
            messages.insert(0, {"role": "system", "content": body["instructions"]})
        unknown = [k for k in body if k not in RESPONSES_ARGS]
        failure = None
        if unknown:
            failure = error(
                400,
                f"Unknown parameter: '{unknown[0]}'.",
                unknown[0],
                "unknown_parameter",
            )
        elif not body.get("model"):
            failure = error(
                400,
                "Missing required parameter: 'model'.",
                "model",
                "missing_required_parameter",
            )
        elif not known(body["model"]):
            failure = error(
                400,
                f"The requested model '{body['model']}' does not exist.",
                "model",
                "model_not_found",
            )
        elif not messages:
            failure = error(
                400,
                "Missing required parameter: 'input'.",
                "input",
                "missing_required_parameter",
            )
        schema = None
        if failure is None:
            try:
                schema = check_format(
                    (body.get("text") or {}).get("format"), messages, "text.format"
                )
            except SchemaRefused as exc:
                failure = error(400, str(exc), "text.format")
        if failure is not None:
            call["status"] = failure.status_code
            return failure
        failed = await pre("responses")
        if failed:
            return failed
        refusal, content = answer(schema, messages)
        item = (
            {"type": "refusal", "refusal": refusal}
            if refusal
            else {"type": "output_text", "text": content, "annotations": []}
        )
        n_in = sum(len(text_of(m.get("content"))) for m in messages) // 4 + 1
        return JSONResponse(
            {
                "id": "resp_fake",
                "object": "response",
                "created_at": int(time.time()),
                "status": "completed",
                "model": body["model"],
                "output": [
                    {
                        "type": "message",
                        "id": "msg_fake",
                        "status": "completed",
                        "role": "assistant",
                        "content": [item],
                    }
                ],
                "usage": {
                    "input_tokens": n_in,
                    "output_tokens": len(content) // 4 + 1,
                    "total_tokens": n_in + len(content) // 4 + 1,
                },
            }
        )

    async def transcriptions(request: Request) -> Response:
        refused = auth(request)
        form = await request.form()
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if key.endswith("[]"):
                fields.setdefault(key, []).append(value)
            elif key != "file":
                fields[key] = value
        upload: Any = form.get("file")
        data = (
            await upload.read()
            if upload is not None and hasattr(upload, "read")
            else b""
        )
        filename = getattr(upload, "filename", "") or ""
        call: dict[str, Any] = {
            "endpoint": "transcriptions",
            "status": 200,
            "model": fields.get("model"),
            "format": fields.get("response_format"),
            "bytes": len(data),
            "params": sorted(fields),
            "filename": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        script.calls.append(call)
        if refused:
            call["status"] = 401
            return refused
        try:
            if upload is None:
                raise Refused(400, "Missing required parameter: 'file'.", "file")
            model, fmt = check_request(
                fields, filename, len(data), set(MODELS) | script.models
            )
            seconds = await asyncio.to_thread(duration_of, data, filename)
            call["seconds"] = seconds
            check_audio(model, fields, seconds)
            names = await asyncio.to_thread(check_known_speakers, fields)
            call["known_speakers"] = names
        except Refused as exc:
            call["status"], call["error"] = exc.status, exc.message
            return error(exc.status, exc.message, exc.param, exc.code, exc.kind)
        failed = await pre("transcriptions")
        if failed:
            call["status"] = failed.status_code
            return failed
        turns = script.transcripts.get(call["sha256"], DEFAULT_TURNS)
        if names:
            # known speakers are labelled by their names, in the order given
            order = list(dict.fromkeys(sp for sp, _ in turns))
            rename = dict(zip(order, names, strict=False))
            turns = [(rename.get(sp, sp), t) for sp, t in turns]
        rendered = render(model, fmt, seconds, turns)
        if isinstance(rendered, str):
            return PlainTextResponse(rendered)
        return JSONResponse(rendered)

    async def set_script(request: Request) -> JSONResponse:
        body = await request.json()
        script.reset()
        script.delay = body.get("delay", {})
        script.fail = {k: list(v) for k, v in body.get("fail", {}).items()}
        script.invalid_json = int(body.get("invalid_json", 0))
        script.api_key = body.get("api_key")
        script.models = set(body.get("models", []))
        return JSONResponse({"ok": True})

    async def set_transcripts(request: Request) -> JSONResponse:
        body = await request.json()
        for sha, turns in body.items():
            script.transcripts[sha] = [(str(s), str(t)) for s, t in turns]
        return JSONResponse({"ok": True})

    async def calls(request: Request) -> JSONResponse:
        return JSONResponse(script.calls)

    return Starlette(
        routes=[
            Route("/v1/audio/transcriptions", transcriptions, methods=["POST"]),
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/v1/responses", responses, methods=["POST"]),
            Route("/admin/script", set_script, methods=["POST"]),
            Route("/admin/transcripts", set_transcripts, methods=["POST"]),
            Route("/admin/calls", calls, methods=["GET"]),
        ]
    )


class FakeOpenAI:
    """The fake server on a free port, in a thread of the test process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.script = Script()
        config = uvicorn.Config(
            build_app(self.script),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("fake OpenAI server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def configure(self, **script: Any) -> None:
        httpx.post(f"http://127.0.0.1:{self.port}/admin/script", json=script)

    def register(self, audio: bytes, turns: list[tuple[str, str]]) -> None:
        """What ``audio`` will be transcribed as: (speaker, text) turns."""
        sha = hashlib.sha256(audio).hexdigest()
        httpx.post(
            f"http://127.0.0.1:{self.port}/admin/transcripts",
            json={sha: [list(t) for t in turns]},
        )

    def calls(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = httpx.get(
            f"http://127.0.0.1:{self.port}/admin/calls"
        ).json()
        return result
