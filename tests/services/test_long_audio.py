"""Long recordings for real: ffmpeg (the imageio-ffmpeg wheel's binary) makes
a recording over the 25 MB limit, the server cuts it into parts under the
limit, and the stitched segment times are each part's own plus the audio
before it (the fake OpenAI server times segments from each part's real
duration)."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest

from services.transcription import ffmpeg_exe, transcribe
from settings import Settings
from tests.fake_openai import FakeOpenAI
from tests.services.conftest import ok_calls

LIMIT = 25 * 1024 * 1024


@pytest.fixture(scope="module")
def long_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """310 s of a 440 Hz tone, 16-bit 44.1 kHz mono: 27.3 MB."""
    path = tmp_path_factory.mktemp("audio") / "long.wav"
    subprocess.run(
        [
            *(ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-f", "lavfi"),
            *("-i", "sine=frequency=440:sample_rate=44100:duration=310"),
            *("-ac", "1", "-c:a", "pcm_s16le", "-y", str(path)),
        ],
        check=True,
    )
    assert path.stat().st_size > LIMIT
    return path


@pytest.mark.parametrize("model", ["whisper-1", "gpt-4o-transcribe-diarize"])
async def test_a_recording_over_the_limit_is_split_and_its_times_stitched(
    ai_settings: Settings, fake: FakeOpenAI, long_wav: Path, model: str
) -> None:
    # given a recording over the limit (the fixture checks) and parts of two
    # minutes
    settings = ai_settings.model_copy(
        update={"transcription_model": model, "transcription_chunk_seconds": 120}
    )

    # when it is transcribed
    result = await transcribe(settings, long_wav)

    # then three parts under the limit were sent, each accepted
    calls = ok_calls(fake, "transcriptions")
    assert len(calls) == 3
    assert all(c["status"] == 200 and c["bytes"] < LIMIT for c in calls)
    assert [c["filename"] for c in calls] == [
        "chunk0000.mp3",
        "chunk0001.mp3",
        "chunk0002.mp3",
    ]
    # and each part's segments are shifted by the parts before it
    per_part = 3 if model == "whisper-1" else 2
    expected: list[float] = []
    offset = 0.0
    for call in calls:
        step = round(call["seconds"] / per_part, 3)
        expected += [offset + i * step for i in range(per_part)]
        offset += call["seconds"]
    starts = [s["start"] for s in result.segments]
    assert starts == pytest.approx(expected, abs=0.01)
    assert offset == pytest.approx(310.0, abs=0.5)
    assert result.duration == pytest.approx(offset)
    assert result.segments[-1]["end"] == pytest.approx(offset, abs=0.01)
    assert [s["index"] for s in result.segments] == list(range(3 * per_part))
    if model == "gpt-4o-transcribe-diarize":
        assert all("chunking_strategy" in c["params"] for c in calls)
        # the later parts were told the first part's speakers, with samples
        # the double accepted (2-10 s of audio each)
        assert [c["known_speakers"] for c in calls] == [[], ["A", "B"], ["A", "B"]]
        assert [s["role"] for s in result.segments[:2]] == ["THERAPIST", "CLIENT"]


async def test_a_recording_over_1500_s_is_split_for_gpt_4o_models(
    ai_settings: Settings, fake: FakeOpenAI, tmp_path: Path
) -> None:
    # given 25 minutes of 8-bit 4 kHz audio: small, but longer than
    # gpt-4o-mini-transcribe accepts (1500 s)
    path = tmp_path / "quiet.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(4000)
        w.writeframes(b"\x80" * 4000 * 1560)
    settings = ai_settings.model_copy(
        update={"transcription_model": "gpt-4o-mini-transcribe"}
    )

    # when it is transcribed
    result = await transcribe(settings, path)

    # then it went in two parts of at most 1200 s, and the text is both parts'
    calls = ok_calls(fake, "transcriptions")
    assert [c["status"] for c in calls] == [200, 200]
    assert max(c["seconds"] for c in calls) <= 1200.5
    assert result.duration == pytest.approx(1560.0, abs=0.5)
    assert result.text.count("How have you been since we last met?") == 2
    assert {s["start"] for s in result.segments} == {None}
