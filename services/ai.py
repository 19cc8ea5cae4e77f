"""The OpenAI boundary: the clients of the two stages and the errors the
pipeline tells apart.

Any OpenAI-compatible server works through the base URLs, so clinics can keep
PHI on premises; transcription and extraction may use different servers
(TRANSCRIPTION_* / EXTRACTION_*, each falling back to OPENAI_*).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import openai
from openai import AsyncOpenAI

from settings import Settings

Stage = Literal["transcription", "extraction"]
NOT_CONFIGURED = "AI provider not configured: set OPENAI_API_KEY or OPENAI_BASE_URL"


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


@dataclass(frozen=True)
class Provider:
    """Where one stage's requests go, and the settings that say so."""

    stage: Stage
    base_url: str | None
    api_key: str | None
    model: str

    @property
    def prefix(self) -> str:
        return "TRANSCRIPTION" if self.stage == "transcription" else "EXTRACTION"


def provider(settings: Settings, stage: Stage) -> Provider:
    if stage == "transcription":
        return Provider(
            stage,
            settings.transcription_base_url or settings.openai_base_url,
            settings.transcription_api_key or settings.openai_api_key,
            settings.transcription_model,
        )
    return Provider(
        stage,
        settings.extraction_base_url or settings.openai_base_url,
        settings.extraction_api_key or settings.openai_api_key,
        settings.extraction_model,
    )


def client(settings: Settings, stage: Stage = "extraction") -> AsyncOpenAI:
    """The client for the stage's provider, or AIError when there is none."""
    p = provider(settings, stage)
    if not p.api_key and not p.base_url:
        raise AIError(NOT_CONFIGURED)
    return AsyncOpenAI(
        # local OpenAI-compatible servers often need no key
        api_key=p.api_key or "unused",
        base_url=p.base_url,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
    )


STAGE_WORDS = {"transcription": "transcription", "extraction": "note extraction"}


def describe(exc: BaseException, stage: Stage) -> str:
    """A therapist-readable message for a failure during ``stage``: it names
    the setting to check and never repeats the provider's own text (which may
    quote the input)."""
    if isinstance(exc, AIError):
        return exc.message
    words = STAGE_WORDS[stage]
    p = "TRANSCRIPTION" if stage == "transcription" else "EXTRACTION"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return (
            f"The AI provider rejected the credentials during {words}; "
            f"check {p}_API_KEY (or OPENAI_API_KEY)."
        )
    if is_transient(exc):
        return (
            f"The AI service was unavailable or rate-limited during {words} "
            "after several attempts; retry the session later."
        )
    if isinstance(exc, openai.NotFoundError):
        return (
            f"The AI service does not know the model or address used for {words}; "
            f"check {p}_MODEL / {p}_BASE_URL."
        )
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 413:
        return (
            "The recording was too large for the transcription service; "
            "check TRANSCRIPTION_MAX_BYTES or upload a shorter recording."
        )
    if isinstance(exc, openai.APIStatusError):
        hint = (
            " and AI_STRUCTURED_OUTPUT (json_object for servers without strict "
            "JSON schemas)"
            if stage == "extraction"
            else ""
        )
        return (
            f"The AI service refused the {words} request (HTTP "
            f"{exc.status_code}); check {p}_MODEL / {p}_BASE_URL{hint}."
        )
    return f"Processing failed unexpectedly during {words}; retry the session."
