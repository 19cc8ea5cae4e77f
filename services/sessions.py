"""Session management: schedule, attendance, delete, therapist note edits."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import (
    Attendance,
    Mood,
    MoodTrajectory,
    NoteSource,
    RiskSeverity,
    SessionStatus,
)
from db.models import SessionNotes, SessionStatusEvent, TherapySession, User
from db.queries import pipeline as pq
from db.queries import review as rq
from db.queries import sessions as q
from db.queries.pipeline import add_status_event
from services import storage
from services import validation as v
from services.access import session_or_not_found
from services.blobstore import StorageUnavailable
from services.changes import UNSET, Changes, Unset, or_none
from services.errors import BadInput, Conflict
from services.notes import NoteContent
from services.patients import require_clinician, writable_patient
from settings import Settings

log = logging.getLogger("therapybridge.sessions")


async def writable_session(
    db: AsyncSession, user: User, session_id: uuid.UUID
) -> TherapySession:
    """A session the caller may change, else NOT_FOUND (FORBIDDEN for PATIENT)."""
    require_clinician(user)
    return await session_or_not_found(db, user, session_id)


async def schedule_session(
    db: AsyncSession,
    user: User,
    patient_id: uuid.UUID,
    session_date: datetime,
    duration_minutes: int | None,
) -> TherapySession:
    """A SCHEDULED session of the caller with one of their patients."""
    patient = await writable_patient(db, user, patient_id)
    row = TherapySession(
        patient_id=patient.id,
        therapist_id=user.id,
        session_date=v.session_date("sessionDate", session_date),
        duration_minutes=v.duration("durationMinutes", duration_minutes),
        attendance=Attendance.SCHEDULED,
        status=SessionStatus.SCHEDULED,
    )
    db.add(row)
    await db.flush()
    # like every other status event: NOTIFYed, and in id order (replay)
    await add_status_event(
        db, SessionStatusEvent(session_id=row.id, status=SessionStatus.SCHEDULED)
    )
    return row


async def set_attendance(
    db: AsyncSession, user: User, session_id: uuid.UUID, attendance: Attendance
) -> TherapySession:
    """Record whether the session took place (analytics follow the metrics row)."""
    row = await writable_session(db, user, session_id)
    row.attendance = attendance
    await db.flush()
    await q.set_metrics_attendance(db, row.id, attendance)
    return row


async def delete_session(
    db: AsyncSession, user: User, session_id: uuid.UUID
) -> tuple[TherapySession, str | None]:
    """Delete the session, its notes, transcript and audio row; return the
    storage key of its audio file, to be removed once the deletion commits
    (a file deleted before a failed commit could not be brought back; one
    left by a crash after the commit is an orphan the retention job removes)."""
    row = await writable_session(db, user, session_id)
    audio = await q.audio_of(db, row.id)
    await q.delete_session_row(db, row.id)
    if audio is not None:
        await db.delete(audio)
    await db.flush()
    return row, audio.storage_key if audio is not None else None


async def patient_of_notes(db: AsyncSession, notes: SessionNotes) -> uuid.UUID | None:
    """The patient whose session ``notes`` belong to, for the write's audit
    event: the write just loaded that session, so no statement of its own."""
    session = await db.get(TherapySession, notes.session_id)
    return session.patient_id if session else None


async def remove_stored_file(settings: Settings, storage_key: str) -> None:
    """Delete a stored file (keys are checked by the store: they never
    escape it); an unreachable store leaves an orphan the clean-up removes."""
    try:
        await storage.delete(settings, storage_key)
    except (StorageUnavailable, ValueError) as exc:
        log.warning("stored file not deleted: %s", type(exc).__name__)


@dataclass(frozen=True, slots=True)
class StrategyValues:
    name: str
    category: str
    description: str
    context: str | None = None


@dataclass(frozen=True, slots=True)
class ActionItemValues:
    task: str
    category: str
    details: str | None = None


@dataclass(frozen=True, slots=True)
class RiskFlagValues:
    type: str
    evidence: str
    severity: RiskSeverity


@dataclass(frozen=True, slots=True, kw_only=True)
class NoteChanges(Changes):
    """The parts of a session's notes the client set: UNSET ones are copied
    from the latest version; null empties a part (the moods: the latest's)."""

    key_topics: list[str] | Unset | None = UNSET
    topic_summary: str | Unset | None = UNSET
    strategies: list[StrategyValues] | Unset | None = UNSET
    action_items: list[ActionItemValues] | Unset | None = UNSET
    session_mood: Mood | Unset | None = UNSET
    mood_trajectory: MoodTrajectory | Unset | None = UNSET
    therapist_notes: str | Unset | None = UNSET
    patient_summary: str | Unset | None = UNSET
    risk_flags: list[RiskFlagValues] | Unset | None = UNSET


NoteItem = StrategyValues | ActionItemValues | RiskFlagValues


def _note_items(field: str, items: Sequence[NoteItem]) -> list[dict[str, Any]]:
    if len(items) > 50:
        raise BadInput(field, "At most 50 items")
    out = []
    for i, item in enumerate(items):
        parts = asdict(item)
        for part, value in parts.items():
            if isinstance(value, str) and len(value) > 2000:
                raise BadInput(f"{field}[{i}].{part}", "Too long")
        out.append(parts)
    return out


def _content_changes(changes: NoteChanges) -> dict[str, Any]:
    """The validated keys of the notes document the client set (the moods are
    columns, not in it), BAD_USER_INPUT at the first part at fault."""
    out: dict[str, Any] = {}
    texts = (
        ("topic_summary", "topicSummary", changes.topic_summary),
        ("therapist_notes", "therapistNotes", changes.therapist_notes),
        ("patient_summary", "patientSummary", changes.patient_summary),
    )
    for key, field, text in texts:
        if text is not UNSET:
            out[key] = v.text(field, text or "", 20_000, required=False)
    if changes.key_topics is not UNSET:
        out["key_topics"] = v.strings("keyTopics", changes.key_topics or [], 30, 200)
    if changes.strategies is not UNSET:
        out["strategies"] = _note_items("strategies", changes.strategies or [])
    if changes.action_items is not UNSET:
        out["action_items"] = _note_items("actionItems", changes.action_items or [])
    if changes.risk_flags is not UNSET:
        out["risk_flags"] = _note_items("riskFlags", changes.risk_flags or [])
    return out


async def update_notes(
    db: AsyncSession, user: User, session_id: uuid.UUID, changes: NoteChanges
) -> SessionNotes:
    """A new note version (source THERAPIST, author the caller); older stay."""
    row = await writable_session(db, user, session_id)
    content_changes = _content_changes(changes)
    await pq.lock_session(db, row.id)  # not while it is being signed
    if await rq.signed_notes(db, row.id) is not None:
        raise Conflict(
            "The notes are signed and locked; add an addendum instead", "sessionId"
        )
    latest = await q.latest_notes(db, row.id)
    base = NoteContent.from_dict(latest.content if latest else None)
    mood = or_none(changes.session_mood) or (
        latest.session_mood if latest else Mood.NEUTRAL
    )
    trajectory = or_none(changes.mood_trajectory) or (
        latest.mood_trajectory if latest else MoodTrajectory.STABLE
    )
    content = base.merged(content_changes)
    notes = SessionNotes(
        session_id=row.id,
        version=(latest.version if latest else 0) + 1,
        source=NoteSource.THERAPIST,
        content=content.to_dict(),
        session_mood=mood,
        mood_trajectory=trajectory,
        author_id=user.id,
    )
    db.add(notes)
    try:
        await db.flush()
    except IntegrityError:
        raise Conflict("The notes were changed meanwhile; reload and retry") from None
    await q.set_metrics_notes(db, row.id, content, mood)
    return notes
