"""SQL of the processing pipeline: locking sessions, status events, NOTIFY,
transcripts, notes versions and the per-session metrics row."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    AudioFile,
    Patient,
    PatientTherapist,
    SessionMetrics,
    SessionNotes,
    SessionStatusEvent,
    TherapySession,
    Transcript,
    User,
)
from db.queries.scoping import readable_patients, readable_sessions

STATUS_CHANNEL = "session_status"


async def lock_session(
    session: AsyncSession, session_id: uuid.UUID
) -> TherapySession | None:
    """The session row, locked for this transaction (one transition at a time)."""
    stmt = (
        select(TherapySession)
        .where(TherapySession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_status_event(session: AsyncSession, event: SessionStatusEvent) -> None:
    """Insert the event and NOTIFY its IDs; PostgreSQL delivers on commit."""
    session.add(event)
    await session.flush()
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": STATUS_CHANNEL, "payload": f"{event.session_id}:{event.id}"},
    )


async def readable_session(
    session: AsyncSession, user: User | None, session_id: uuid.UUID
) -> TherapySession | None:
    stmt = readable_sessions(user).where(TherapySession.id == session_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def is_patient_readable(
    session: AsyncSession, user: User | None, patient_id: uuid.UUID
) -> bool:
    stmt = readable_patients(user).where(Patient.id == patient_id)
    return (await session.execute(stmt)).first() is not None


async def audio_of(session: AsyncSession, session_id: uuid.UUID) -> AudioFile | None:
    stmt = select(AudioFile).where(
        AudioFile.session_id == session_id, AudioFile.deleted_at.is_(None)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def transcript_of(
    session: AsyncSession, session_id: uuid.UUID
) -> Transcript | None:
    stmt = select(Transcript).where(Transcript.session_id == session_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def next_notes_version(session: AsyncSession, session_id: uuid.UUID) -> int:
    stmt = select(func.coalesce(func.max(SessionNotes.version), 0)).where(
        SessionNotes.session_id == session_id
    )
    return int((await session.execute(stmt)).scalar_one()) + 1


async def upsert_metrics(session: AsyncSession, values: dict[str, Any]) -> None:
    """Write the session's analytics row, replacing an earlier one."""
    stmt = insert(SessionMetrics).values(**values)
    update: dict[str, Any] = {k: stmt.excluded[k] for k in values if k != "session_id"}
    update["updated_at"] = func.now()
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["session_id"], set_=update)
    )


async def event_with_readers(
    session: AsyncSession, event_id: int
) -> (
    tuple[
        SessionStatusEvent,
        TherapySession,
        list[uuid.UUID],
        uuid.UUID | None,
        uuid.UUID | None,
    ]
    | None
):
    """A status event, its session, the patient's therapists, linked account
    and practice: what ``may_read_patient`` needs, in two statements."""
    row = (
        await session.execute(
            select(SessionStatusEvent, TherapySession)
            .join(TherapySession, TherapySession.id == SessionStatusEvent.session_id)
            .where(SessionStatusEvent.id == event_id)
        )
    ).first()
    if row is None:
        return None
    event, ts = row
    readers = (
        await session.execute(
            select(PatientTherapist.therapist_id, Patient.user_id, Patient.practice_id)
            .select_from(Patient)
            .outerjoin(PatientTherapist, PatientTherapist.patient_id == Patient.id)
            .where(Patient.id == ts.patient_id)
        )
    ).all()
    therapists = [r[0] for r in readers if r[0] is not None]
    linked = readers[0][1] if readers else None
    practice = readers[0][2] if readers else None
    return event, ts, therapists, linked, practice
