"""Analytics reads per patient and per topic (weekly, stored or live)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Attendance
from db.models import SessionMetrics, TherapySession, User
from db.queries.analytics import COUNTED, Frame
from db.queries.scoping import readable_sessions
from db.queries.weekly import Scope, topic_rows, week_rows

TS = TherapySession


async def patient_weeks(
    db: AsyncSession, patient_id: uuid.UUID, frame: Frame, wstart: date
) -> list[dict[str, Any]]:
    """Per week with sessions: sessions, mood_sum, mood_count."""
    rows = week_rows(frame, wstart, Scope.patient(patient_id))
    stmt = (
        select(
            rows.c.week,
            func.sum(rows.c.sessions).cast(Integer).label("sessions"),
            func.sum(rows.c.mood_sum).cast(Integer).label("mood_sum"),
            func.sum(rows.c.mood_count).cast(Integer).label("mood_count"),
        )
        .group_by(rows.c.week)
        .order_by(rows.c.week)
    )
    return [dict(r._mapping) for r in await db.execute(stmt)]


async def patient_week_topics(
    db: AsyncSession, patient_id: uuid.UUID, frame: Frame, wstart: date
) -> list[tuple[date, str, int]]:
    """(week, topic, sessions naming it)."""
    rows = topic_rows(frame, wstart, Scope.patient(patient_id))
    n = func.sum(rows.c.n).cast(Integer)
    stmt = select(rows.c.week, rows.c.topic, n).group_by(rows.c.week, rows.c.topic)
    return [(w, t, c) for w, t, c in await db.execute(stmt)]


async def patient_attendance(
    db: AsyncSession, patient_id: uuid.UUID, start: datetime, now: datetime
) -> dict[str, Any]:
    """Attendance counts of the patient's sessions in [start, now], and
    ``mood``: the score of the latest counted one that has a mood score."""
    in_window = (TS.patient_id == patient_id, TS.session_date.between(start, now))
    mood = (
        select(SessionMetrics.mood_score)
        .join(TS, TS.id == SessionMetrics.session_id)
        .where(
            *in_window,
            TS.attendance.in_(COUNTED),
            SessionMetrics.mood_score.is_not(None),
        )
        .order_by(TS.session_date.desc(), TS.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = select(
        *(
            func.count().filter(TS.attendance == a).label(a.value.lower())
            for a in Attendance
        ),
        mood.label("mood"),
    ).where(*in_window)
    return dict((await db.execute(stmt)).one()._mapping)


async def recent_sessions(
    db: AsyncSession, user: User, patient_id: uuid.UUID, now: datetime, n: int
) -> Sequence[TherapySession]:
    """The patient's latest ``n`` sessions dated up to now, newest first."""
    stmt = (
        readable_sessions(user)
        .where(TS.patient_id == patient_id, TS.session_date <= now)
        .order_by(TS.session_date.desc(), TS.id.desc())
        .limit(n)
    )
    return (await db.execute(stmt)).scalars().all()


async def practice_topics(
    db: AsyncSession,
    user: User,
    frame: Frame,
    wstart: date,
    first_end: date,
    second_start: date,
    limit: int,
) -> list[dict[str, Any]]:
    """Top topics of the practice: frequency, patients, first/second half."""
    rows = topic_rows(frame, wstart, Scope.practice(user), (first_end, second_start))
    freq = func.sum(rows.c.n).cast(Integer)
    stmt = (
        select(
            rows.c.topic,
            freq.label("frequency"),
            func.count(func.distinct(rows.c.patient_id)).label("patients"),
            func.sum(rows.c.first).cast(Integer).label("first"),
            func.sum(rows.c.second).cast(Integer).label("second"),
        )
        .group_by(rows.c.topic)
        .order_by(freq.desc(), rows.c.topic.collate("C"))
        .limit(limit)
    )
    return [dict(r._mapping) for r in await db.execute(stmt)]
