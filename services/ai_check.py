"""``therapybridge ai-check``: one generated second of audio to the
transcription provider and one small made-up transcript to the extraction
provider, each reported as OK or FAILED with what to change.

Nothing sent is patient data, so a provider's own error text may be shown
here (shortened), unlike in a session's error message.
"""

from __future__ import annotations

import asyncio
import io
import math
import struct
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import openai

from services import ai
from services.extraction import INVALID_TWICE, extract_notes
from services.transcription import transcribe
from settings import Settings

SAMPLE_TRANSCRIPT = (
    "[0] THERAPIST: How has your week been?\n"
    "[1] CLIENT: Better. I slept well and went for walks."
)


@dataclass
class Check:
    stage: ai.Stage
    ok: bool
    detail: str


def one_second_of_audio() -> bytes:
    """A 440 Hz tone, 16 kHz mono 16-bit WAV."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / 16000)))
                for i in range(16000)
            )
        )
    return out.getvalue()


def where(settings: Settings, stage: ai.Stage) -> str:
    p = ai.provider(settings, stage)
    key = "an API key" if p.api_key else "no API key"
    return f"model {p.model} at {p.base_url or 'the OpenAI API'}, {key}"


def advice(exc: BaseException, settings: Settings, stage: ai.Stage) -> str:
    """What went wrong, in words an administrator can act on."""
    p = ai.provider(settings, stage)
    prefix = p.prefix
    url = f"{prefix}_BASE_URL (or OPENAI_BASE_URL)"
    key = f"{prefix}_API_KEY (or OPENAI_API_KEY)"
    if isinstance(exc, ai.AIError):
        if exc.message == ai.NOT_CONFIGURED:
            return f"no provider is configured: set {url} or {key}."
        if exc.message == INVALID_TWICE:
            return (
                "the model's answers did not follow the notes format; try "
                "AI_STRUCTURED_OUTPUT=json_object or another EXTRACTION_MODEL."
            )
        return exc.message
    if isinstance(exc, openai.APITimeoutError):
        return (
            f"{p.base_url or 'the provider'} did not answer within "
            f"{settings.openai_timeout:g} s: check {url} or raise OPENAI_TIMEOUT."
        )
    if isinstance(exc, openai.APIConnectionError):
        return (
            f"could not connect to {p.base_url or 'the OpenAI API'}: check {url} "
            "and that the server is running and reachable from this machine."
        )
    if not isinstance(exc, openai.APIStatusError):
        return f"unexpected error ({type(exc).__name__}); check {url}."
    said = _provider_words(exc)
    status = exc.status_code
    if status in (401, 403):
        return f"the provider refused the API key (HTTP {status}): check {key}.{said}"
    if status == 404:
        return (
            f"the provider does not know model {p.model!r} or the address "
            f"(HTTP 404): check {prefix}_MODEL and {url}.{said}"
        )
    if status == 429:
        return (
            "the provider is rate-limiting this key or its quota is used up "
            f"(HTTP 429): check the account's limits and billing.{said}"
        )
    if status >= 500:
        return f"the provider had an error (HTTP {status}): try again later.{said}"
    hint = (
        " A server without strict JSON schemas needs AI_STRUCTURED_OUTPUT=json_object."
        if stage == "extraction"
        else ""
    )
    return (
        f"the provider refused the request (HTTP {status}): check {prefix}_MODEL "
        f"and {url}.{hint}{said}"
    )


def _provider_words(exc: openai.APIStatusError) -> str:
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message:
        return ""
    short = message if len(message) <= 200 else message[:197] + "..."
    return f' The provider said: "{short}"'


async def check_transcription(settings: Settings) -> Check:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tb-ai-check-") as tmp:
        path = Path(tmp) / "check.wav"
        await asyncio.to_thread(path.write_bytes, one_second_of_audio())
        try:
            await transcribe(settings, path)
        except Exception as exc:
            return Check("transcription", False, advice(exc, settings, "transcription"))
    took = time.monotonic() - started
    return Check("transcription", True, f"answered in {took:.1f} s")


async def check_extraction(settings: Settings) -> Check:
    started = time.monotonic()
    try:
        result = await extract_notes(settings, SAMPLE_TRANSCRIPT)
    except Exception as exc:
        return Check("extraction", False, advice(exc, settings, "extraction"))
    took = time.monotonic() - started
    return Check(
        "extraction",
        True,
        f"valid notes in {took:.1f} s ({result.input_tokens} + "
        f"{result.output_tokens} tokens, {settings.ai_structured_output})",
    )


async def run_checks(settings: Settings) -> list[tuple[Check, str]]:
    """Both checks, once each: no retries, so a broken setting shows at once."""
    quick = settings.model_copy(
        update={
            "openai_max_retries": 0,
            "openai_timeout": min(settings.openai_timeout, 30),
        }
    )
    return [
        (await check_transcription(quick), where(settings, "transcription")),
        (await check_extraction(quick), where(settings, "extraction")),
    ]


def report(results: list[tuple[Check, str]]) -> str:
    lines = []
    for check, provider in results:
        state = "OK" if check.ok else "FAILED"
        lines.append(f"{check.stage:<13} {state:<6} {provider}")
        lines.append(f"{'':<13} {'':<6} {check.detail}")
    failed = [c.stage for c, _ in results if not c.ok]
    lines.append(
        "All AI providers work."
        if not failed
        else f"Not working: {', '.join(failed)}. Sessions will fail at that stage "
        "until the settings above are fixed."
    )
    return "\n".join(lines) + "\n"
