"""Transcript, TranscriptSegment and AudioFile (no Node: reached via a session)."""

from __future__ import annotations

from typing import Any

import strawberry

from db import models


@strawberry.type(name="TranscriptSegment")
class TranscriptSegmentType:
    start: float
    end: float
    speaker: str | None
    text: str


def _segment(raw: dict[str, Any]) -> TranscriptSegmentType:
    return TranscriptSegmentType(
        start=float(raw.get("start") or 0.0),
        end=float(raw.get("end") or 0.0),
        speaker=raw.get("speaker"),
        text=str(raw.get("text") or ""),
    )


@strawberry.type(name="Transcript")
class TranscriptType:
    text: str
    language: str | None

    @strawberry.field
    @staticmethod
    def segments(
        root: strawberry.Parent[models.Transcript],
    ) -> list[TranscriptSegmentType]:
        return [_segment(s) for s in root.segments or [] if isinstance(s, dict)]


@strawberry.type(name="AudioFile")
class AudioFileType:
    filename: str
    content_type: str
    size_bytes: int
    duration_seconds: float | None
