"""Transcript, TranscriptSegment and AudioFile (no Node: reached via a session)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, cast

import strawberry

from db import models
from db.enums import SpeakerRole
from schema.fastexec import RawRecords


@strawberry.type(
    name="TranscriptSegment",
    description="One stretch of speech; times are null for pasted text and "
    "for models that give none; role is the speaker label's SpeakerRole.",
)
class TranscriptSegmentType:
    index: int
    start: float | None
    end: float | None
    speaker: str | None
    role: SpeakerRole | None
    text: str


def _seconds(value: Any) -> float | None:
    if value is None or type(value) is float:
        return value
    return float(value) if isinstance(value, int | str) else None


def _role(value: Any) -> SpeakerRole | None:
    return SpeakerRole(value) if value in SpeakerRole.__members__ else None


def segment_from_record(raw: dict[str, Any]) -> TranscriptSegmentType:
    # a value already of its field's type is kept as it is (RawRecords)
    text = raw.get("text")
    index = raw.get("index")
    return TranscriptSegmentType(
        index=index if type(index) is int else 0,
        start=_seconds(raw.get("start")),
        end=_seconds(raw.get("end")),
        speaker=raw.get("speaker"),
        role=_role(raw.get("role")),
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
        if any("index" not in s for s in records):
            # stored before segments had indexes: their position is the index
            records = [{**s, "index": i} for i, s in enumerate(records)]
        segments = RawRecords(records, segment_from_record)
        return cast("list[TranscriptSegmentType]", segments)


@strawberry.type(name="AudioFile")
class AudioFileType:
    filename: str
    content_type: str
    size_bytes: int
    duration_seconds: float | None


if TYPE_CHECKING:  # the rows these types are read from (schema/rows.py)
    TranscriptRow: TypeAlias = models.Transcript
    AudioFileRow: TypeAlias = models.AudioFile
else:
    TranscriptRow = TranscriptType
    AudioFileRow = AudioFileType
