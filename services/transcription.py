"""Transcription with any of the four OpenAI speech-to-text models, with long
recordings cut into parts by the ffmpeg binary of the ``imageio-ffmpeg``
wheel (present on every machine the project installs on).

What each model is asked for, by the API reference (audio/createTranscription):

- ``whisper-1``: ``verbose_json`` with ``timestamp_granularities=[segment]``:
  timed segments, no speakers.
- ``gpt-4o-transcribe`` / ``gpt-4o-mini-transcribe``: ``json`` only (no
  segments, no timestamp granularities): the text is cut into untimed
  sentence segments. Their input is limited to 1500 s of audio.
- ``gpt-4o-transcribe-diarize``: ``diarized_json`` with
  ``chunking_strategy=auto`` (required over 30 s) and no ``prompt``: timed
  segments with speaker labels (``A``, ``B``, …), mapped to roles.

Other model names (an on-premise server) are asked like whisper-1.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openai import AsyncOpenAI

from services import segments as seg
from services.ai import AIError, client
from services.speaker_samples import known_speakers
from settings import Settings

DIARIZE = "gpt-4o-transcribe-diarize"
TEXT_ONLY = {"gpt-4o-transcribe", "gpt-4o-mini-transcribe"}
# gpt-4o-transcribe models refuse audio over 1500 s; parts stay below
MAX_SECONDS = {"gpt-4o-transcribe": 1500.0, "gpt-4o-mini-transcribe": 1500.0}
# the multipart body carries more than the file: keep a margin below the limit
BODY_MARGIN = 256 * 1024
_DURATION = re.compile(rb"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")


@dataclass
class TranscriptResult:
    text: str
    language: str | None
    segments: list[dict[str, Any]] = field(default_factory=list)
    duration: float | None = None


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


async def probe_duration(path: Path) -> float | None:
    """The recording's length in seconds as ffmpeg reads it, or None (the
    API's own figure is used then)."""
    try:
        proc = await asyncio.create_subprocess_exec(
            ffmpeg_exe(),
            *("-nostdin", "-hide_banner", "-i", str(path)),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
    except (ImportError, RuntimeError, OSError):
        return None
    _, err = await proc.communicate()
    match = _DURATION.search(err or b"")
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


async def transcribe(settings: Settings, path: Path) -> TranscriptResult:
    """Transcribe one recording, cutting it into parts first when it is over
    the size limit or the model's length limit."""
    api = client(settings, "transcription")
    model = settings.transcription_model
    size = (await asyncio.to_thread(path.stat)).st_size
    duration = await probe_duration(path)
    too_long = duration is not None and duration > MAX_SECONDS.get(model, 1e12)
    if size <= settings.transcription_max_bytes - BODY_MARGIN and not too_long:
        result = await _transcribe_file(api, model, path)
        result.duration = duration if duration is not None else result.duration
    else:
        with tempfile.TemporaryDirectory(prefix="tb-chunks-") as tmp:
            chunks = await split_audio(path, Path(tmp), settings)
            parts: list[TranscriptResult] = []
            known: dict[str, Any] = {}
            for chunk in chunks:
                part = await _transcribe_file(api, model, chunk, known)
                part.duration = await probe_duration(chunk) or part.duration
                if model == DIARIZE and not parts:
                    # the later parts are told who the first part's speakers are
                    known = await known_speakers(
                        ffmpeg_exe(), chunk, part.segments, Path(tmp)
                    )
                parts.append(part)
        result = stitch(parts)
    return finish(result)


def finish(result: TranscriptResult) -> TranscriptResult:
    """Indexes, and roles for speaker labels; untimed sentences when the model
    gave only text."""
    segments = result.segments or seg.sentence_segments(result.text)
    roles = seg.default_roles([s.get("speaker") for s in segments])
    result.segments = seg.reindexed(seg.with_roles(segments, roles))
    return result


def _request(model: str) -> dict[str, Any]:
    if model == DIARIZE:
        return {"response_format": "diarized_json", "chunking_strategy": "auto"}
    if model in TEXT_ONLY:
        return {"response_format": "json"}
    return {"response_format": "verbose_json", "timestamp_granularities": ["segment"]}


async def _transcribe_file(
    api: AsyncOpenAI, model: str, path: Path, extra: dict[str, Any] | None = None
) -> TranscriptResult:
    create: Any = api.audio.transcriptions.create  # overloads by response_format
    with path.open("rb") as audio:
        response: Any = await create(
            model=model, file=audio, **_request(model), **(extra or {})
        )
    segments = [
        seg.segment(
            0,
            str(_get(s, "text") or "").strip(),
            start=_seconds(_get(s, "start")),
            end=_seconds(_get(s, "end")),
            speaker=_get(s, "speaker"),
        )
        for s in (_get(response, "segments") or [])
    ]
    duration = _get(response, "duration")
    return TranscriptResult(
        text=str(_get(response, "text") or "").strip(),
        language=_get(response, "language"),
        segments=[s for s in segments if s["text"]],
        duration=float(duration) if duration is not None else None,
    )


def _seconds(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def stitch(parts: list[TranscriptResult]) -> TranscriptResult:
    """Join part transcripts, shifting each part's segment times by the audio
    before it. Diarized parts after the first were sent the first part's
    speakers (services/speaker_samples.py), so their labels agree."""
    offset = 0.0
    segments: list[dict[str, Any]] = []
    for part in parts:
        for s in part.segments:
            shifted = {
                **s,
                "start": s["start"] + offset if s["start"] is not None else None,
                "end": s["end"] + offset if s["end"] is not None else None,
            }
            segments.append(shifted)
        if not part.segments and part.text:
            segments.extend(seg.sentence_segments(part.text))
        ends = [s["end"] for s in part.segments if s["end"] is not None]
        offset += part.duration if part.duration is not None else max(ends or [0.0])
    return TranscriptResult(
        text=" ".join(p.text for p in parts if p.text),
        language=next((p.language for p in parts if p.language), None),
        segments=segments,
        duration=offset,
    )


async def split_audio(path: Path, out_dir: Path, settings: Settings) -> list[Path]:
    """Cut ``path`` into re-encoded mono 16 kHz 48 kbit/s mp3 parts of
    TRANSCRIPTION_CHUNK_SECONDS (20 minutes: about 7 MB), or fail saying why."""
    try:
        ffmpeg = ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise AIError(
            "The audio is larger than the transcription service's 25 MB limit "
            "and cannot be split on this server (ffmpeg is missing); reinstall "
            "the server or upload a shorter recording."
        ) from None
    proc = await asyncio.create_subprocess_exec(
        ffmpeg,
        *("-nostdin", "-loglevel", "error", "-i", str(path), "-vn", "-ac", "1"),
        *("-ar", "16000", "-c:a", "libmp3lame", "-b:a", "48k", "-f", "segment"),
        *("-segment_time", str(settings.transcription_chunk_seconds)),
        *("-reset_timestamps", "1", str(out_dir / "chunk%04d.mp3")),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    if await proc.wait() != 0:
        raise AIError(
            "The audio could not be split into parts for transcription; "
            "check that the file plays and upload it again."
        )
    chunks = sorted(await asyncio.to_thread(lambda: list(out_dir.glob("chunk*.mp3"))))
    for chunk in chunks:
        if chunk.stat().st_size > settings.transcription_max_bytes - BODY_MARGIN:
            raise AIError(
                "A part of the recording is still over the transcription limit; "
                "lower TRANSCRIPTION_CHUNK_SECONDS."
            )
    return chunks
