"""Each of the four transcription models end to end in-process (real
PostgreSQL, the real openai client, the fake OpenAI server enforcing each
model's request rules), and the segments, times and speaker roles they give."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import SessionStatus
from db.queries import pipeline as q
from settings import Settings
from tests.e2e.pipeline_helpers import wav
from tests.factories import create_patient, create_user
from tests.fake_openai import FakeOpenAI
from tests.services.conftest import ok_calls, process_upload

TURNS = [
    ("A", "Hello, how was your week?"),
    ("B", "I have been anxious about my family. It keeps me awake."),
    ("A", "Let us try a breathing exercise together."),
]
# over 30 s: gpt-4o-transcribe-diarize needs chunking_strategy
AUDIO = wav(40.0)


@pytest.mark.parametrize(
    "model",
    [
        "whisper-1",
        "gpt-4o-transcribe",
        "gpt-4o-mini-transcribe",
        "gpt-4o-transcribe-diarize",
    ],
)
async def test_each_transcription_model_processes_an_upload(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    ai_settings: Settings,
    fake: FakeOpenAI,
    model: str,
) -> None:
    # given a recording the provider will hear as three turns of two speakers
    fake.register(AUDIO, TURNS)
    settings = ai_settings.model_copy(update={"transcription_model": model})
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)

    # when it is uploaded and both jobs run
    row = await process_upload(
        db, session_factory, settings, therapist, patient.id, AUDIO
    )
    transcript = await q.transcript_of(db, row.id)
    audio = await q.audio_of(db, row.id)

    # then it is PROCESSED, and every request kept the model's rules
    assert row.status is SessionStatus.PROCESSED, row.error_message
    assert transcript is not None
    assert audio is not None
    (call,) = ok_calls(fake, "transcriptions")
    assert call["status"] == 200
    assert call["model"] == model
    assert audio.duration_seconds == pytest.approx(40.0)
    segments: list[dict[str, Any]] = transcript.segments
    assert [s["index"] for s in segments] == list(range(len(segments)))
    assert transcript.model == model
    prompt = ok_calls(fake, "chat")[0]["first_user"]
    if model == "whisper-1":
        # timed sentences, no speakers
        assert call["format"] == "verbose_json"
        assert "timestamp_granularities[]" in call["params"]
        assert len(segments) == 4
        assert [s["start"] for s in segments] == [0.0, 10.0, 20.0, 30.0]
        assert {s["speaker"] for s in segments} == {None}
        assert prompt.splitlines()[1] == "[1] I have been anxious about my family."
    elif model == "gpt-4o-transcribe-diarize":
        # timed turns with speaker labels, mapped to roles in order of speaking
        assert call["format"] == "diarized_json"
        assert "chunking_strategy" in call["params"]
        assert "prompt" not in call["params"]
        assert [s["speaker"] for s in segments] == ["A", "B", "A"]
        assert [s["role"] for s in segments] == ["THERAPIST", "CLIENT", "THERAPIST"]
        assert segments[1]["start"] == pytest.approx(40 / 3, abs=0.01)
        assert prompt.splitlines()[1] == (
            "[1] CLIENT: I have been anxious about my family. It keeps me awake."
        )
    else:
        # text only: untimed sentence segments
        assert call["format"] == "json"
        assert "timestamp_granularities[]" not in call["params"]
        assert [s["start"] for s in segments] == [None] * 4
        assert segments[2]["text"] == "It keeps me awake."
    assert transcript.text.startswith("Hello, how was your week? I have been")
