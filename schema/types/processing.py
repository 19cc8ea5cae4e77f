"""ProcessingInfo: models, prompt version, usage and cost of a session."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import strawberry

if TYPE_CHECKING:
    from services.processing import Processing


@strawberry.type(
    name="ProcessingInfo",
    description="How the session was processed: the models, the prompt "
    "version, the latest AI notes' tokens, the audio's length and the cost in "
    "USD (null when a model used has no price).",
)
class ProcessingInfoType:
    transcription_model: str | None
    extraction_model: str | None
    prompt_version: str | None
    input_tokens: int | None
    output_tokens: int | None
    audio_seconds: float | None
    cost_usd: float | None


if TYPE_CHECKING:  # the record a ProcessingInfo is read from (schema/rows.py)
    ProcessingInfoRow: TypeAlias = Processing
else:
    ProcessingInfoRow = ProcessingInfoType
