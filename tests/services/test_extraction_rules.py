"""Note extraction against the fake OpenAI server's rules: the SDK-made
strict schema is accepted where a hand-made broken one is refused, answers
follow the transcript (a risk reported or missed, a refusal, broken JSON),
JSON mode works for servers without strict schemas, and a provider's 4xx
fails the session at once naming the setting to check."""

from __future__ import annotations

import copy
from typing import Any

import openai
import pytest
from openai.lib._pydantic import to_strict_json_schema
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import SessionStatus
from db.models import TherapySession
from services import pipeline
from services.ai import AIError
from services.extraction import INVALID_TWICE, REFUSED, NotesDraft, extract_notes
from settings import Settings
from tests.factories import create_patient, create_user
from tests.fake_openai import FakeOpenAI
from tests.services.conftest import never, ok_calls


def _client(fake: FakeOpenAI) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.base_url, api_key="k", max_retries=0)


def _format(schema: dict[str, Any]) -> Any:
    return {
        "type": "json_schema",
        "json_schema": {"name": "notes", "schema": schema, "strict": True},
    }


def _without_description_property(schema: dict[str, Any]) -> dict[str, Any]:
    """The old hand-made walker's bug: the Strategy property named
    description dropped while `required` still lists it."""
    broken = copy.deepcopy(schema)
    del broken["$defs"]["Strategy"]["properties"]["description"]
    return broken


def _with(schema: dict[str, Any], path: list[str], key: str, value: Any) -> Any:
    changed = copy.deepcopy(schema)
    node = changed
    for part in path:
        node = node[part]
    node[key] = value
    return changed


STRICT = to_strict_json_schema(NotesDraft)
REFUSED_SCHEMAS = {
    "required lists a missing property": (
        _without_description_property(STRICT),
        "Extra required key 'description'",
    ),
    "additionalProperties not false": (
        _with(STRICT, ["$defs", "RiskFlag"], "additionalProperties", True),
        "'additionalProperties' is required to be supplied and to be false",
    ),
    "an unsupported keyword": (
        _with(STRICT, ["properties", "topic_summary"], "maxLength", 10),
        "'maxLength' is not permitted",
    ),
    "a reference that does not resolve": (
        _with(STRICT, ["properties", "session_mood"], "$ref", "#/$defs/Nope"),
        "could not be resolved",
    ),
    "a default": (
        _with(STRICT, ["properties", "topic_summary"], "default", "x"),
        "'default' is not permitted",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED_SCHEMAS))
def test_the_double_refuses_schemas_strict_mode_refuses(
    fake: FakeOpenAI, case: str
) -> None:
    fake.configure()
    schema, reason = REFUSED_SCHEMAS[case]
    with pytest.raises(openai.BadRequestError) as refused:
        _client(fake).chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "hi"}],
            response_format=_format(schema),
        )
    error = refused.value.body
    assert isinstance(error, dict)
    assert error["type"] == "invalid_request_error"
    assert error["param"] == "response_format"
    assert reason in error["message"]


def test_the_sdk_schema_is_accepted_and_json_mode_needs_the_word(
    fake: FakeOpenAI,
) -> None:
    fake.configure()
    api = _client(fake)
    parsed = api.chat.completions.parse(
        model="gpt-4o",
        messages=[{"role": "user", "content": "[0] CLIENT: I sleep badly."}],
        response_format=NotesDraft,
    )
    with pytest.raises(openai.BadRequestError) as no_word:
        api.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "notes please"}],
            response_format={"type": "json_object"},
        )
    notes = parsed.choices[0].message.parsed
    assert notes is not None
    assert notes.key_topics == ["sleep"]
    assert "must contain the word 'json'" in no_word.value.message


def test_the_responses_api_takes_the_sdk_schema_and_refuses_a_loose_one(
    fake: FakeOpenAI,
) -> None:
    fake.configure()
    api = _client(fake)
    parsed = api.responses.parse(
        model="gpt-4o",
        input=[{"role": "user", "content": "[0] CLIENT: I want to end my life."}],
        text_format=NotesDraft,
        temperature=0,
    )
    loose = _with(STRICT, [], "additionalProperties", True)
    with pytest.raises(openai.BadRequestError) as refused:
        api.responses.create(
            model="gpt-4o",
            input="notes",
            text={
                "format": {
                    "type": "json_schema",
                    "name": "n",
                    "schema": loose,
                    "strict": True,
                }
            },
        )
    notes = parsed.output_parsed
    assert notes is not None
    assert [r.type for r in notes.risk_flags] == ["suicidal ideation"]
    assert isinstance(refused.value.body, dict)
    assert refused.value.body["param"] == "text.format"


async def test_a_reasoning_model_is_asked_without_a_temperature(
    ai_settings: Settings, fake: FakeOpenAI
) -> None:
    settings = ai_settings.model_copy(update={"extraction_model": "gpt-5-mini"})
    result = await extract_notes(settings, "[0] CLIENT: I sleep badly.")
    with pytest.raises(openai.BadRequestError) as refused:
        _client(fake).chat.completions.create(
            model="o3", temperature=0, messages=[{"role": "user", "content": "hi"}]
        )
    (call,) = [c for c in ok_calls(fake, "chat") if c["model"] == "gpt-5-mini"]
    assert result.notes.key_topics == ["sleep"]
    assert call["temperature"] is None
    assert "Only the default (1) value is supported" in refused.value.message


async def test_a_risk_is_reported_or_missed_as_the_transcript_says(
    ai_settings: Settings,
) -> None:
    said = "[0] THERAPIST: How are you?\n[1] CLIENT: Some days I want to hurt myself."
    found = await extract_notes(ai_settings, said)
    missed = await extract_notes(ai_settings, f"{said} [miss the risk]")
    steered = await extract_notes(
        ai_settings, "[0] CLIENT: Fine. [topics: grief, school] [mood: VERY_LOW]"
    )
    assert [(r.type, r.evidence, r.severity.value) for r in found.notes.risk_flags] == [
        ("self-harm", "Some days I want to hurt myself.", "HIGH")
    ]
    assert missed.notes.risk_flags == []
    assert steered.notes.key_topics == ["grief", "school"]
    assert steered.notes.session_mood.value == "VERY_LOW"


@pytest.mark.parametrize("mode", ["json_schema", "json_object"])
async def test_one_broken_answer_is_repaired_two_fail(
    ai_settings: Settings, fake: FakeOpenAI, mode: str
) -> None:
    settings = ai_settings.model_copy(update={"ai_structured_output": mode})
    repaired = await extract_notes(settings, "[0] CLIENT: work. [invalid json once]")
    with pytest.raises(AIError) as twice:
        await extract_notes(settings, "[0] CLIENT: work. [invalid json]")
    chats = ok_calls(fake, "chat")
    assert repaired.notes.key_topics == ["work"]
    assert twice.value.message == INVALID_TWICE
    assert len(chats) == 4
    assert {c["response_format"] for c in chats} == {mode}
    assert "did not match the schema" in chats[1]["last_message"]


async def test_too_many_topics_go_back_to_the_model(
    ai_settings: Settings, fake: FakeOpenAI
) -> None:
    # strict mode is not told the limit (maxItems): validation enforces it
    many = ", ".join(f"topic {i}" for i in range(25))
    with pytest.raises(AIError):
        await extract_notes(ai_settings, f"[0] CLIENT: hi [topics: {many}]")
    chats = ok_calls(fake, "chat")
    assert "maxItems" not in str(to_strict_json_schema(NotesDraft))
    assert "at most 20 key topics" in chats[1]["last_message"]


async def _failed_session(
    db: AsyncSession,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    text: str,
) -> TherapySession:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    ts = await pipeline.create_from_transcript(db, therapist, patient.id, text, None)
    await db.commit()
    await pipeline.run_extraction(factory, settings, ts.id, never)
    row = await db.get(TherapySession, ts.id, populate_existing=True)
    assert row is not None
    return row


async def test_a_refusal_fails_the_session_with_its_own_message(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    ai_settings: Settings,
) -> None:
    row = await _failed_session(
        db, session_factory, ai_settings, "Client: I'd rather not. [refuse]"
    )
    assert row.status is SessionStatus.FAILED
    assert row.error_message == REFUSED


@pytest.mark.parametrize(
    ("update", "script", "setting"),
    [
        ({"extraction_model": "gpt-nonexistent"}, {}, "check EXTRACTION_MODEL"),
        ({}, {"fail": {"chat": [400]}}, "check EXTRACTION_MODEL / EXTRACTION_BASE_URL"),
        ({}, {"api_key": "another"}, "check EXTRACTION_API_KEY"),
    ],
)
async def test_a_provider_4xx_is_not_retried_and_names_the_setting(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    ai_settings: Settings,
    fake: FakeOpenAI,
    update: dict[str, Any],
    script: dict[str, Any],
    setting: str,
) -> None:
    # given a provider that answers 404, 400 or 401, and client retries on
    settings = ai_settings.model_copy(update={**update, "openai_max_retries": 3})
    fake.configure(**script)

    # when extraction runs
    row = await _failed_session(db, session_factory, settings, "Client: hello.")

    # then one request was made and the message names the setting, not the
    # provider's own words
    calls = ok_calls(fake, "chat")
    assert row.status is SessionStatus.FAILED
    assert setting in (row.error_message or "")
    for provider_words in ("does not exist", "scripted", "Incorrect API key"):
        assert provider_words not in (row.error_message or "")
    assert len(calls) == 1
    assert (await db.execute(select(TherapySession.failed_stage))).scalar_one() == (
        "EXTRACTING_NOTES"
    )


async def test_a_long_transcript_is_extracted_in_parts_and_merged(
    ai_settings: Settings, fake: FakeOpenAI
) -> None:
    # given a transcript over the token budget (500 tokens: ~2,000 characters)
    # with sleep early on and a risk near the end
    settings = ai_settings.model_copy(update={"extraction_token_budget": 500})
    lines = [f"[{i}] CLIENT: We went over the week again, day {i}." for i in range(120)]
    lines[3] = "[3] CLIENT: I sleep badly."
    lines[110] = "[110] CLIENT: At school I want to hurt myself."
    transcript = "\n".join(lines)

    # when notes are extracted
    result = await extract_notes(settings, transcript)

    # then each part was asked alone within the budget, then the parts merged
    chats = ok_calls(fake, "chat")
    parts, merge = chats[:-1], chats[-1]
    assert len(parts) >= 3
    assert all(len(c["first_user"]) <= 500 * 4 for c in parts)
    assert merge["first_user"].startswith("Part 1:\n{")
    assert result.notes.key_topics == ["sleep", "school"]
    assert [r.type for r in result.notes.risk_flags] == ["self-harm"]
    # usage is the sum over every request
    assert result.input_tokens == sum(c["prompt_tokens"] for c in chats)
    assert result.output_tokens == sum(c["completion_tokens"] for c in chats)
