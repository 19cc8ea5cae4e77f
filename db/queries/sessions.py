"""Therapy session queries: scoped lists, filters, and per-session children."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Attendance, Mood, SessionStatus
from db.models import AudioFile, SessionMetrics, SessionNotes, TherapySession, User
from db.queries.pagination import Ordering
from db.queries.scoping import Subject, readable_sessions

# newest first; the id breaks ties between sessions at the same moment
SESSION_ORDER = Ordering(
    [TherapySession.session_date.expression, TherapySession.id.expression], True
)


@dataclass(frozen=True)
class SessionFilter:
    """Filters shared by ``sessions`` and ``Patient.sessions`` (hashable)."""

    patient_id: uuid.UUID | None = None
    status: SessionStatus | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


def sessions_stmt(user: User | None, f: SessionFilter) -> Select[TherapySession]:
    """The sessions ``user`` may read that pass ``f``, its values bound."""
    stmt = bound_sessions_stmt(user, filter_shape(f)).params(filter_params(f))
    return cast("Select[TherapySession]", stmt)


# which filters a SessionFilter sets: the shape of its statement
FilterShape = tuple[bool, bool, bool, bool]


def filter_shape(f: SessionFilter) -> FilterShape:
    return (
        f.patient_id is not None,
        f.status is not None,
        f.date_from is not None,
        f.date_to is not None,
    )


def filter_params(f: SessionFilter) -> dict[str, Any]:
    """The values ``bound_sessions_stmt`` binds for ``f``."""
    values = {
        "filter_patient": f.patient_id,
        "filter_status": f.status,
        "filter_from": f.date_from,
        "filter_to": f.date_to,
    }
    return {k: v for k, v in values.items() if v is not None}


def bound_sessions_stmt(user: Subject | None, shape: FilterShape) -> Select[Any]:
    """``sessions_stmt`` with each filter a bind parameter (``filter_params``),
    so that one statement serves every filter of the same shape."""
    stmt = readable_sessions(user)
    patient, status, date_from, date_to = shape
    if patient:
        stmt = stmt.where(TherapySession.patient_id == _bound("filter_patient"))
    if status:
        stmt = stmt.where(TherapySession.status == _bound("filter_status"))
    if date_from:
        stmt = stmt.where(TherapySession.session_date >= _bound("filter_from"))
    if date_to:
        stmt = stmt.where(TherapySession.session_date <= _bound("filter_to"))
    return stmt


_FILTER_COLUMNS = {
    "filter_patient": TherapySession.patient_id,
    "filter_status": TherapySession.status,
    "filter_from": TherapySession.session_date,
    "filter_to": TherapySession.session_date,
}


def _bound(name: str) -> Any:
    return bindparam(name, type_=_FILTER_COLUMNS[name].type, required=True)


def session_key(s: TherapySession) -> list[Any]:
    return [s.session_date, s.id]


async def count_by_patient(
    db: AsyncSession, user: User | None, f: SessionFilter, ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    inner = sessions_stmt(user, f).where(TherapySession.patient_id.in_(ids)).subquery()
    stmt = select(inner.c.patient_id, func.count()).group_by(inner.c.patient_id)
    counts: dict[uuid.UUID, int] = {
        pid: int(n) for pid, n in (await db.execute(stmt)).all()
    }
    return counts


async def latest_version(db: AsyncSession, session_id: uuid.UUID) -> int:
    stmt = select(func.max(SessionNotes.version)).where(
        SessionNotes.session_id == session_id
    )
    return int(await db.scalar(stmt) or 0)


async def latest_notes(
    db: AsyncSession, session_id: uuid.UUID, *, lock: bool = False
) -> SessionNotes | None:
    """The latest notes version; with ``lock``, locked for this transaction
    and re-read (signing and editing take it one at a time)."""
    stmt = (
        select(SessionNotes)
        .where(SessionNotes.session_id == session_id)
        .order_by(SessionNotes.version.desc())
        .limit(1)
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await db.execute(stmt)).scalar_one_or_none()


async def audio_of(db: AsyncSession, session_id: uuid.UUID) -> AudioFile | None:
    stmt = select(AudioFile).where(AudioFile.session_id == session_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def delete_session_row(db: AsyncSession, session_id: uuid.UUID) -> None:
    await db.execute(delete(TherapySession).where(TherapySession.id == session_id))


async def set_metrics_attendance(
    db: AsyncSession, session_id: uuid.UUID, attendance: Attendance
) -> None:
    await db.execute(
        update(SessionMetrics)
        .where(SessionMetrics.session_id == session_id)
        .values(attendance=attendance, updated_at=utcnow())
    )


async def set_metrics_notes(
    db: AsyncSession, session_id: uuid.UUID, content: Any, mood: Mood
) -> None:
    """Keep the analytics row in step with an edited note (if it has one)."""
    await db.execute(
        update(SessionMetrics)
        .where(SessionMetrics.session_id == session_id)
        .values(
            mood_score=mood.score,
            topics=list(content.key_topics),
            strategies_count=len(content.strategies),
            action_items_count=len(content.action_items),
            has_risk_flags=bool(content.risk_flags),
            updated_at=utcnow(),
        )
    )
