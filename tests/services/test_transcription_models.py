"""Each of the four transcription models end to end in-process (real
PostgreSQL, the real openai client, the fake OpenAI server enforcing each
model's request rules), and the segments, times and speaker roles they give."""

from __future__ import annotations

import base64
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


SHORT = wav(2.0)
REFUSED_TRANSCRIPTIONS: dict[str, tuple[dict[str, Any], bytes, str, int, str]] = {
    "verbose_json from gpt-4o-transcribe": (
        {"model": "gpt-4o-transcribe", "response_format": "verbose_json"},
        SHORT,
        "a.wav",
        400,
        "is not compatible with model",
    ),
    "timestamps without verbose_json": (
        {"model": "whisper-1", "timestamp_granularities": ["segment"]},
        SHORT,
        "a.wav",
        400,
        "timestamp_granularities",
    ),
    "a prompt to diarize": (
        {"model": "gpt-4o-transcribe-diarize", "prompt": "Therapy session."},
        SHORT,
        "a.wav",
        400,
        "Prompt is not supported",
    ),
    "diarize over 30 s without chunking": (
        {"model": "gpt-4o-transcribe-diarize", "response_format": "diarized_json"},
        AUDIO,
        "a.wav",
        400,
        "chunking_strategy is required",
    ),
    "a known speaker sample under 2 s": (
        {
            "model": "gpt-4o-transcribe-diarize",
            "known_speaker_names": ["A"],
            "known_speaker_references": [
                "data:audio/wav;base64," + base64.b64encode(wav(1.0)).decode()
            ],
        },
        SHORT,
        "a.wav",
        400,
        "must be between 2 and 10 seconds",
    ),
    "an unknown model": ({"model": "whisper-2"}, SHORT, "a.wav", 404, "does not exist"),
    "a file name without a known extension": (
        {"model": "whisper-1"},
        SHORT,
        "a.txt",
        400,
        "Invalid file format",
    ),
    "bytes that are no audio": (
        {"model": "whisper-1"},
        b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * 4096,
        "a.wav",
        400,
        "corrupted or unsupported",
    ),
    "a file over 25 MB": (
        {"model": "whisper-1"},
        b"\x00" * (26_214_400 + 1),
        "a.wav",
        413,
        "Maximum content size limit",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED_TRANSCRIPTIONS))
def test_the_double_refuses_what_the_transcription_api_refuses(
    fake: FakeOpenAI, case: str
) -> None:
    import openai

    fake.configure()
    params, data, name, status, reason = REFUSED_TRANSCRIPTIONS[case]
    api = openai.OpenAI(base_url=fake.base_url, api_key="k", max_retries=0)
    create: Any = api.audio.transcriptions.create
    with pytest.raises(openai.APIStatusError) as refused:
        create(file=(name, data), **params)
    assert refused.value.status_code == status
    assert reason in refused.value.message


async def test_a_refused_transcription_fails_at_once_naming_the_setting(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    ai_settings: Settings,
    fake: FakeOpenAI,
) -> None:
    # given a model name the provider does not know, and client retries on
    settings = ai_settings.model_copy(
        update={"transcription_model": "whisper-2", "openai_max_retries": 3}
    )
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)

    # when a recording is uploaded and transcription runs
    row = await process_upload(
        db, session_factory, settings, therapist, patient.id, SHORT
    )

    # then one request was made and the session names the setting to check
    calls = ok_calls(fake, "transcriptions")
    assert [c["status"] for c in calls] == [404]
    assert row.status is SessionStatus.FAILED
    assert row.failed_stage == "TRANSCRIBING"
    assert row.error_message == (
        "The AI service does not know the model or address used for "
        "transcription; check TRANSCRIPTION_MODEL / TRANSCRIPTION_BASE_URL."
    )
