"""Note extraction: a transcript in, validated SessionNotes fields out.

AI_STRUCTURED_OUTPUT=json_schema (default): the openai SDK's own structured
outputs (``chat.completions.parse(response_format=NotesDraft)``), which turns
the Pydantic model into the strict schema by OpenAI's rules. json_object: for
OpenAI-compatible servers without strict schemas, the schema goes in the
prompt and ``response_format`` is ``{"type": "json_object"}``. Either way the
answer is validated by the same model (constraints strict mode cannot express
are Pydantic validators, which the schema does not carry), an invalid answer
is sent back once with the errors, a refusal fails on its own, and transcripts
over the token budget are split, extracted per part and merged. Usage and
cost come from the API's figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import openai
from openai import AsyncOpenAI
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from db.enums import Mood, MoodTrajectory, RiskSeverity
from services.ai import AIError, client
from services.prices import token_cost
from services.segments import split_transcript
from settings import Settings

PROMPT_VERSION = "notes-v2"
MAX_TOPICS = 20

REFUSED = (
    "The AI model declined to write notes for this transcript; write the "
    "notes by hand or retry the session."
)
INVALID_TWICE = (
    "The AI model returned notes that did not match the expected format "
    "twice; retry the session or write the notes by hand."
)


def _at_most_topics(value: list[str]) -> list[str]:
    # maxItems is not a keyword every strict-schema server accepts: the limit
    # is checked here, and a longer list goes back to the model once
    if len(value) > MAX_TOPICS:
        raise ValueError(f"at most {MAX_TOPICS} key topics")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Strategy(_Strict):
    name: str
    category: str
    description: str
    context: str | None


class ActionItem(_Strict):
    task: str
    category: str
    details: str | None


class RiskFlag(_Strict):
    type: str
    evidence: str
    severity: RiskSeverity


class NotesDraft(_Strict):
    """The SessionNotes fields the model fills in."""

    key_topics: Annotated[list[str], AfterValidator(_at_most_topics)]
    topic_summary: str
    strategies: list[Strategy]
    action_items: list[ActionItem]
    session_mood: Mood
    mood_trajectory: MoodTrajectory
    therapist_notes: str
    patient_summary: str
    risk_flags: list[RiskFlag]


SYSTEM_PROMPT = (
    "You are a clinical documentation assistant for a licensed therapist. "
    "The session transcript comes one segment per line as `[index] SPEAKER: "
    "text`. Write structured notes: the key topics, a short topic summary, the "
    "coping strategies discussed (name, category, description, context), "
    "action items for the patient, the patient's overall mood and its "
    "trajectory within the session, clinical notes for the therapist, a "
    "plain-language summary addressed to the patient, and any risk indicators "
    "(self-harm, harm to others, abuse, crisis) with the evidence quoted. Use "
    "only what the transcript says."
)
MERGE_PROMPT = (
    "The notes below were extracted from consecutive parts of ONE therapy "
    "session. Merge them into a single set of notes for the whole session: "
    "deduplicate topics, strategies and action items, keep every risk flag, "
    "and judge mood and trajectory across the whole session."
)


def json_object_instructions() -> str:
    """For json_object mode: the schema the answer must follow, in words the
    API's JSON mode requires (the word JSON must be in the messages)."""
    schema = json.dumps(NotesDraft.model_json_schema(), separators=(",", ":"))
    return (
        "Answer with one JSON object only, no prose, matching this JSON "
        f"schema (every property present; null where allowed): {schema}"
    )


@dataclass
class Extraction:
    notes: NotesDraft
    model: str
    prompt_version: str
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal | None


@dataclass
class _Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, usage: Any) -> None:
        if usage is not None:
            self.input_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            self.output_tokens += int(getattr(usage, "completion_tokens", 0) or 0)


def cost_of(model: str, input_tokens: int, output_tokens: int) -> Decimal | None:
    """The price of the tokens in USD, or None for a model without a price."""
    return token_cost(model, input_tokens, output_tokens)


async def extract_notes(settings: Settings, transcript: str) -> Extraction:
    """Extract notes from ``transcript`` (the prompt form of its segments,
    see ``services.segments.for_prompt``); split and merge when it is long."""
    api = client(settings, "extraction")
    usage = _Usage()
    chunks = split_transcript(transcript, settings.extraction_token_budget)
    if len(chunks) == 1:
        notes = await _ask(api, settings, SYSTEM_PROMPT, chunks[0], usage)
    else:
        parts = [await _ask(api, settings, SYSTEM_PROMPT, c, usage) for c in chunks]
        merged_input = "\n\n".join(
            f"Part {i + 1}:\n{p.model_dump_json()}" for i, p in enumerate(parts)
        )
        notes = await _ask(api, settings, MERGE_PROMPT, merged_input, usage)
    model = settings.extraction_model
    return Extraction(
        notes=notes,
        model=model,
        prompt_version=PROMPT_VERSION,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost_usd=cost_of(model, usage.input_tokens, usage.output_tokens),
    )


# reasoning models accept only their default temperature
_REASONING = ("o1", "o3", "o4", "gpt-5")


def _sampling(model: str) -> dict[str, Any]:
    """temperature 0 (the same transcript, the same notes) where allowed."""
    return {} if model.startswith(_REASONING) else {"temperature": 0}


@dataclass
class _Answer:
    content: str
    refusal: str | None
    notes: NotesDraft | None = None
    error: ValidationError | None = None


async def _schema_answer(
    api: AsyncOpenAI, settings: Settings, messages: list[dict[str, str]], usage: _Usage
) -> _Answer:
    """One strict structured-output request made by the SDK; the raw body is
    kept so that an answer the model got wrong can be shown to it again."""
    parse: Any = api.chat.completions.with_raw_response.parse
    raw = await parse(
        model=settings.extraction_model,
        **_sampling(settings.extraction_model),
        messages=messages,
        response_format=NotesDraft,
    )
    body = json.loads(raw.text)
    choice = (body.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    usage.add(_UsageView(body.get("usage") or {}))
    answer = _Answer(str(message.get("content") or ""), message.get("refusal"))
    if answer.refusal:
        return answer
    try:
        completion = raw.parse()
    except ValidationError as exc:
        answer.error = exc
        return answer
    except openai.LengthFinishReasonError:
        raise AIError(
            "The AI model ran out of room while writing the notes; retry the "
            "session or write the notes by hand."
        ) from None
    except openai.ContentFilterFinishReasonError:
        raise AIError(REFUSED) from None
    answer.notes = completion.choices[0].message.parsed
    return answer


class _UsageView:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.prompt_tokens = raw.get("prompt_tokens", 0)
        self.completion_tokens = raw.get("completion_tokens", 0)


async def _object_answer(
    api: AsyncOpenAI, settings: Settings, messages: list[dict[str, str]], usage: _Usage
) -> _Answer:
    """One JSON-mode request; the answer is validated here."""
    create: Any = api.chat.completions.create  # overloads by stream
    response: Any = await create(
        model=settings.extraction_model,
        **_sampling(settings.extraction_model),
        messages=messages,
        response_format={"type": "json_object"},
    )
    usage.add(response.usage)
    message = response.choices[0].message
    answer = _Answer(message.content or "", getattr(message, "refusal", None))
    if not answer.refusal:
        try:
            answer.notes = NotesDraft.model_validate_json(answer.content)
        except ValidationError as exc:
            answer.error = exc
    return answer


async def _ask(
    api: AsyncOpenAI, settings: Settings, system: str, content: str, usage: _Usage
) -> NotesDraft:
    json_mode = settings.ai_structured_output == "json_object"
    if json_mode:
        system = f"{system}\n\n{json_object_instructions()}"
    messages: list[dict[str, str]] = [
        {"role": "system", "content": system},
        {"role": "user", "content": content},
    ]
    ask = _object_answer if json_mode else _schema_answer
    for attempt in range(2):
        answer = await ask(api, settings, messages, usage)
        if answer.refusal:
            raise AIError(REFUSED)
        if answer.notes is not None:
            return answer.notes
        if attempt == 0:
            # send the answer back once with what was wrong with it
            problem = (
                _errors_without_input(answer.error)
                if answer.error is not None
                else "the answer was empty"
            )
            messages.append({"role": "assistant", "content": answer.content})
            messages.append(
                {
                    "role": "user",
                    "content": f"Your answer did not match the schema: {problem}. "
                    "Answer again with valid JSON only.",
                }
            )
    raise AIError(INVALID_TWICE)


def _errors_without_input(exc: ValidationError) -> str:
    # the error text goes back to the model only; it names fields, not values
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
        for e in exc.errors(include_input=False, include_url=False)
    )
