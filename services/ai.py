"""The OpenAI boundary: the client, transcription (with splitting of long
audio) and the errors the pipeline tells apart.

Any OpenAI-compatible server works through OPENAI_BASE_URL, so clinics can
keep PHI on premises.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
from openai import AsyncOpenAI

from settings import Settings

NOT_CONFIGURED = "AI provider not configured: set OPENAI_API_KEY or OPENAI_BASE_URL"
# each chunk re-encoded to 48 kbit/s mono: 20 minutes is about 7 MB
CHUNK_SECONDS = 1200


class AIError(Exception):
    """A failure with a message a therapist can act on (no PHI, no trace)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


# timeouts, lost connections, 429 and 5xx: worth another attempt later
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, AIError):
        return exc.transient
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, TRANSIENT_ERRORS)


def describe(exc: BaseException, stage: str) -> str:
    """A therapist-readable message for a failure during ``stage``."""
    if isinstance(exc, AIError):
        return exc.message
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return "The AI provider rejected the credentials; check OPENAI_API_KEY."
    if is_transient(exc):
        return (
            f"The AI service was unavailable or rate-limited during {stage} "
            "after several attempts; retry the session later."
        )
    if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
        return (
            f"The AI service refused the input during {stage}; check the "
            "recording or transcript and retry."
        )
    return f"Processing failed unexpectedly during {stage}; retry the session."


def client(settings: Settings) -> AsyncOpenAI:
    """The client for the configured provider, or AIError when there is none."""
    if not settings.openai_api_key and not settings.openai_base_url:
        raise AIError(NOT_CONFIGURED)
    return AsyncOpenAI(
        # local OpenAI-compatible servers often need no key
        api_key=settings.openai_api_key or "unused",
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
    )


@dataclass
class TranscriptResult:
    text: str
    language: str | None
    segments: list[dict[str, Any]] = field(default_factory=list)
    duration: float | None = None


async def transcribe(settings: Settings, path: Path) -> TranscriptResult:
    """Transcribe one audio file, splitting it first when it is over the limit."""
    api = client(settings)
    size = (await asyncio.to_thread(path.stat)).st_size
    if size <= settings.transcription_max_bytes:
        return await _transcribe_file(api, settings, path)
    with tempfile.TemporaryDirectory(prefix="tb-chunks-") as tmp:
        chunks = await split_audio(path, Path(tmp))
        parts = [await _transcribe_file(api, settings, c) for c in chunks]
    return stitch(parts)


async def _transcribe_file(
    api: AsyncOpenAI, settings: Settings, path: Path
) -> TranscriptResult:
    model = settings.transcription_model
    # only whisper models return segments with timestamps (verbose_json)
    verbose = model.startswith("whisper")
    create: Any = api.audio.transcriptions.create  # overloads by response_format
    with path.open("rb") as audio:
        response: Any = await create(
            model=model,
            file=audio,
            response_format="verbose_json" if verbose else "json",
            **({"timestamp_granularities": ["segment"]} if verbose else {}),
        )
    segments = [
        {
            "start": float(_get(s, "start") or 0.0),
            "end": float(_get(s, "end") or 0.0),
            "speaker": _get(s, "speaker"),
            "text": str(_get(s, "text") or "").strip(),
        }
        for s in (_get(response, "segments") or [])
    ]
    duration = _get(response, "duration")
    return TranscriptResult(
        text=str(_get(response, "text") or "").strip(),
        language=_get(response, "language"),
        segments=segments,
        duration=float(duration) if duration is not None else None,
    )


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def stitch(parts: list[TranscriptResult]) -> TranscriptResult:
    """Join chunk transcripts, shifting each chunk's segments by the audio
    that came before it."""
    offset = 0.0
    segments: list[dict[str, Any]] = []
    for part in parts:
        for seg in part.segments:
            segments.append(
                {**seg, "start": seg["start"] + offset, "end": seg["end"] + offset}
            )
        last_end = part.segments[-1]["end"] if part.segments else 0.0
        offset += part.duration if part.duration is not None else last_end
    return TranscriptResult(
        text=" ".join(p.text for p in parts if p.text),
        language=next((p.language for p in parts if p.language), None),
        segments=segments,
        duration=offset,
    )


async def split_audio(path: Path, out_dir: Path) -> list[Path]:
    """Cut ``path`` into re-encoded chunks with ffmpeg, or fail saying why."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AIError(
            "The audio is larger than the transcription service's 25 MB limit "
            "and cannot be split on this server (ffmpeg is not installed); "
            "upload a shorter or compressed recording."
        )
    proc = await asyncio.create_subprocess_exec(
        ffmpeg,
        *("-nostdin", "-loglevel", "error", "-i", str(path), "-vn", "-ac", "1"),
        *("-ar", "16000", "-b:a", "48k", "-f", "segment"),
        *("-segment_time", str(CHUNK_SECONDS), str(out_dir / "chunk%04d.mp3")),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    if await proc.wait() != 0:
        raise AIError(
            "The audio could not be split into parts for transcription; "
            "check that the file plays and upload it again."
        )
    return sorted(await asyncio.to_thread(lambda: list(out_dir.glob("chunk*.mp3"))))
