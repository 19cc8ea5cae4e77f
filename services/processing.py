"""ProcessingInfo: which models processed a session, what it used, and what
it cost (services/prices.py). Nothing here is PHI; it is still shown only to
those who may read the session's transcript (not the PATIENT role)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from db.enums import NoteSource
from db.models import AudioFile, SessionNotes, Transcript
from services.prices import audio_cost


@dataclass
class Processing:
    transcription_model: str | None
    extraction_model: str | None
    prompt_version: str | None
    input_tokens: int | None
    output_tokens: int | None
    audio_seconds: float | None
    cost_usd: float | None


def processing_info(
    transcript: Transcript | None,
    audio: AudioFile | None,
    versions: list[SessionNotes],
) -> Processing | None:
    """The latest AI notes version's figures plus the transcription's; the
    cost is null when a model used has no price. None before any processing."""
    notes = next((n for n in versions if n.source is NoteSource.AI), None)
    model = transcript.model if transcript is not None else None
    seconds = audio.duration_seconds if audio is not None else None
    if model is None and notes is None:
        return None
    parts: list[Decimal | None] = []
    if model is not None:
        parts.append(audio_cost(model, seconds) if seconds is not None else None)
    if notes is not None:
        parts.append(notes.cost_usd)
    known = [p for p in parts if p is not None]
    cost = float(sum(known, Decimal(0))) if len(known) == len(parts) else None
    return Processing(
        transcription_model=model,
        extraction_model=notes.model if notes else None,
        prompt_version=notes.prompt_version if notes else None,
        input_tokens=notes.input_tokens if notes else None,
        output_tokens=notes.output_tokens if notes else None,
        audio_seconds=seconds,
        cost_usd=cost,
    )
