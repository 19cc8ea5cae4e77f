"""Transcript, TranscriptSegment and AudioFile (no Node: reached via a session)."""

from __future__ import annotations

from typing import Any, cast

import strawberry

from db import models
from schema.fastexec import RawRecords


@strawberry.type(name="TranscriptSegment")
class TranscriptSegmentType:
    start: float
    end: float
    speaker: str | None
    text: str


def _seconds(value: Any) -> float:
    return value if type(value) is float else float(value or 0.0)


def _segment(raw: dict[str, Any]) -> TranscriptSegmentType:
    # a value already of its field's type is kept as it is (RawRecords)
    text = raw.get("text")
    return TranscriptSegmentType(
        start=_seconds(raw.get("start")),
        end=_seconds(raw.get("end")),
        speaker=raw.get("speaker"),
        text=text if type(text) is str else str(text or ""),
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
        records = [s for s in root.segments or [] if isinstance(s, dict)]
        return cast("list[TranscriptSegmentType]", RawRecords(records, _segment))


@strawberry.type(name="AudioFile")
class AudioFileType:
    filename: str
    content_type: str
    size_bytes: int
    duration_seconds: float | None
