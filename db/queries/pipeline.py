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
from db.queries.scoping import (
    readable_patient_ids,
)

STATUS_CHANNEL = "session_status"
# held from a status event's INSERT to its transaction's end: events commit in
# the order of their ids, so "every event after id N" never skips one that
# was still uncommitted when a later id was seen (replayable subscriptions)
STATUS_ORDER_LOCK = 0x7462_7374_6174  # 'tbstat'


async def lock_session(
    db: AsyncSession, session_id: uuid.UUID
) -> TherapySession | None:
    """The session row, locked for this transaction (one transition at a time)."""
    stmt = (
        select(TherapySession)
        .where(TherapySession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def add_status_event(db: AsyncSession, event: SessionStatusEvent) -> None:
    """Insert the event and NOTIFY its IDs; PostgreSQL delivers on commit."""
    await db.execute(
        text("SELECT pg_advisory_xact_lock(:key)"), {"key": STATUS_ORDER_LOCK}
    )
    db.add(event)
    await db.flush()
    await db.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": STATUS_CHANNEL, "payload": f"{event.session_id}:{event.id}"},
    )


async def audio_of(db: AsyncSession, session_id: uuid.UUID) -> AudioFile | None:
    stmt = select(AudioFile).where(
        AudioFile.session_id == session_id, AudioFile.deleted_at.is_(None)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def transcript_of(db: AsyncSession, session_id: uuid.UUID) -> Transcript | None:
    stmt = select(Transcript).where(Transcript.session_id == session_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def next_notes_version(db: AsyncSession, session_id: uuid.UUID) -> int:
    stmt = select(func.coalesce(func.max(SessionNotes.version), 0)).where(
        SessionNotes.session_id == session_id
    )
    return int((await db.execute(stmt)).scalar_one()) + 1


async def upsert_metrics(db: AsyncSession, values: dict[str, Any]) -> None:
    """Write the session's analytics row, replacing an earlier one."""
    stmt = insert(SessionMetrics).values(**values)
    update: dict[str, Any] = {k: stmt.excluded[k] for k in values if k != "session_id"}
    update["updated_at"] = func.now()
    await db.execute(
        stmt.on_conflict_do_update(index_elements=["session_id"], set_=update)
    )


async def event_with_readers(
    db: AsyncSession, event_id: int
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
        await db.execute(
            select(SessionStatusEvent, TherapySession)
            .join(TherapySession, TherapySession.id == SessionStatusEvent.session_id)
            .where(SessionStatusEvent.id == event_id)
        )
    ).first()
    if row is None:
        return None
    event, ts = row
    readers = (
        await db.execute(
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


async def status_events_after(
    db: AsyncSession,
    user: User | None,
    after_id: int,
    session_id: uuid.UUID | None,
    limit: int,
) -> list[tuple[SessionStatusEvent, TherapySession]]:
    """The status events after ``after_id`` (oldest first) of the sessions
    ``user`` may read now: the rule live delivery applies to each event."""
    stmt = (
        select(SessionStatusEvent, TherapySession)
        .join(TherapySession, TherapySession.id == SessionStatusEvent.session_id)
        .where(
            SessionStatusEvent.id > after_id,
            TherapySession.patient_id.in_(readable_patient_ids(user)),
        )
        .order_by(SessionStatusEvent.id)
        .limit(limit)
    )
    if session_id is not None:
        stmt = stmt.where(SessionStatusEvent.session_id == session_id)
    return [(e, ts) for e, ts in (await db.execute(stmt)).all()]


# run by the status listener on its own asyncpg connection (services/events.py)
LISTENER_LAST_EVENT_SQL = "SELECT coalesce(max(id), 0) FROM session_status_events"
# what the listener missed while its connection was down, oldest first
LISTENER_EVENTS_AFTER_SQL = (
    "SELECT session_id, id FROM session_status_events"
    " WHERE id > $1 ORDER BY id LIMIT $2"
)
