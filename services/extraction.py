"""Note extraction: a transcript in, validated SessionNotes fields out.

Structured outputs (a JSON schema made from the Pydantic model), temperature
0, one repair round with the validation errors, and split-then-merge for
transcripts over the token budget. Usage and cost come from the API's figures.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openai import AsyncOpenAI
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from db.enums import Mood, MoodTrajectory, RiskSeverity
from services.ai import AIError, client
from settings import Settings

PROMPT_VERSION = "notes-v1"
# USD per million tokens (input, output), from the provider's price list
PRICES: dict[str, tuple[Decimal, Decimal]] = {
    "gpt-4o": (Decimal("2.50"), Decimal("10.00")),
    "gpt-4o-mini": (Decimal("0.15"), Decimal("0.60")),
    "gpt-4.1": (Decimal("2.00"), Decimal("8.00")),
    "gpt-4.1-mini": (Decimal("0.40"), Decimal("1.60")),
}
CHARS_PER_TOKEN = 4


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

    key_topics: list[str] = Field(max_length=20)
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
    "From the session transcript, write structured notes: the key topics, a "
    "short topic summary, the coping strategies discussed (name, category, "
    "description, context), action items for the patient, the patient's "
    "overall mood and its trajectory within the session, clinical notes for "
    "the therapist, a plain-language summary addressed to the patient, and "
    "any risk indicators (self-harm, harm to others, abuse, crisis) with the "
    "evidence quoted. Use only what the transcript says."
)
MERGE_PROMPT = (
    "The notes below were extracted from consecutive parts of ONE therapy "
    "session. Merge them into a single set of notes for the whole session: "
    "deduplicate topics, strategies and action items, keep every risk flag, "
    "and judge mood and trajectory across the whole session."
)


def notes_schema() -> dict[str, Any]:
    """The JSON schema in the strict form structured outputs require."""
    schema = copy.deepcopy(NotesDraft.model_json_schema())

    def strict(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
                node["required"] = list(node["properties"])
            for key in ("title", "default", "maxItems", "description"):
                node.pop(key, None)
            for value in node.values():
                strict(value)
        elif isinstance(node, list):
            for item in node:
                strict(item)

    strict(schema)
    return schema


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
    price = PRICES.get(model)
    if price is None:
        return None
    per_million = Decimal(1_000_000)
    total = (input_tokens * price[0] + output_tokens * price[1]) / per_million
    return total.quantize(Decimal("0.000001"))


async def extract_notes(settings: Settings, transcript: str) -> Extraction:
    """Extract notes from ``transcript``; split and merge when it is long."""
    api = client(settings)
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


def split_transcript(text: str, token_budget: int) -> list[str]:
    """Cut at line (then word) boundaries into pieces within the budget."""
    limit = token_budget * CHARS_PER_TOKEN
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines() or [text]:
        pieces = [line] if len(line) <= limit else _wrap(line, limit)
        for piece in pieces:
            if size + len(piece) > limit and current:
                chunks.append("\n".join(current))
                current, size = [], 0
            current.append(piece)
            size += len(piece) + 1
    if current:
        chunks.append("\n".join(current))
    return chunks


def _wrap(line: str, limit: int) -> list[str]:
    out: list[str] = []
    words = line.split(" ")
    current = ""
    for word in words:
        while len(word) > limit:  # a "word" longer than the budget
            out.append(word[:limit])
            word = word[limit:]
        if current and len(current) + 1 + len(word) > limit:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return out


async def _ask(
    api: AsyncOpenAI, settings: Settings, system: str, content: str, usage: _Usage
) -> NotesDraft:
    messages: list[dict[str, str]] = [
        {"role": "system", "content": system},
        {"role": "user", "content": content},
    ]
    last_error = ""
    for attempt in range(2):
        create: Any = api.chat.completions.create  # overloads by stream
        response: Any = await create(
            model=settings.extraction_model,
            temperature=0,
            messages=messages,
            response_format={
                "type": "json_schema",
                "json_schema": {
                    "name": "session_notes",
                    "schema": notes_schema(),
                    "strict": True,
                },
            },
        )
        usage.add(response.usage)
        answer = response.choices[0].message.content or ""
        try:
            return NotesDraft.model_validate_json(answer)
        except ValidationError as exc:
            last_error = _errors_without_input(exc)
            if attempt == 0:
                # send the answer back once with what was wrong with it
                messages.append({"role": "assistant", "content": answer})
                messages.append(
                    {
                        "role": "user",
                        "content": "Your answer did not match the schema: "
                        f"{last_error}. Answer again with valid JSON only.",
                    }
                )
    raise AIError(
        "The AI model returned notes that did not match the expected format "
        "twice; retry the session or write the notes by hand."
    )


def _errors_without_input(exc: ValidationError) -> str:
    # the error text goes back to the model only; it names fields, not values
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
        for e in exc.errors(include_input=False, include_url=False)
    )
