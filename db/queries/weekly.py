"""Analytics reads per patient and week: stored patient_progress rows before
each therapist's coverage mark, sessions aggregated live from it on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    func,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from db.models import (
    AnalyticsCoverage,
    PatientProgress,
    SessionMetrics,
    TherapySession,
    User,
)
from db.queries.analytics import (
    COUNTED,
    Frame,
    first_instant,
    local_week,
    practice,
    through_mark,
)
from db.queries.scoping import readable_patient_ids

TS = TherapySession


def _live_week_conds(
    frame: Frame, wstart: date, scope: Scope
) -> list[ColumnElement[bool]]:
    through = through_mark(
        AnalyticsCoverage.weeks_through,
        scope.therapist_id or TS.therapist_id,
        frame.monday,
    )
    return [
        TS.session_date >= frame.instant(wstart),
        TS.session_date <= frame.now,
        TS.attendance.in_(COUNTED),
        TS.session_date >= first_instant(frame, through),
        scope.live,
    ]


def _stored_week_conds(
    frame: Frame, wstart: date, scope: Scope
) -> list[ColumnElement[bool]]:
    therapist = scope.therapist_id or PatientProgress.therapist_id
    return [
        PatientProgress.week_start_date >= wstart,
        PatientProgress.week_start_date
        < through_mark(AnalyticsCoverage.weeks_through, therapist, frame.monday),
        scope.stored,
    ]


def week_rows(frame: Frame, wstart: date, scope: Scope) -> Any:
    """(patient_id, week, sessions, mood_sum, mood_count) rows, stored or live."""
    week = local_week(frame)
    stored = select(
        PatientProgress.patient_id,
        PatientProgress.week_start_date.label("week"),
        PatientProgress.sessions_count.label("sessions"),
        PatientProgress.mood_sum,
        PatientProgress.mood_count,
    ).where(*_stored_week_conds(frame, wstart, scope))
    live = (
        select(
            TS.patient_id,
            week.label("week"),
            func.count().label("sessions"),
            func.coalesce(func.sum(SessionMetrics.mood_score), 0).label("mood_sum"),
            func.count(SessionMetrics.mood_score).label("mood_count"),
        )
        .outerjoin(SessionMetrics, SessionMetrics.session_id == TS.id)
        .where(*_live_week_conds(frame, wstart, scope))
        .group_by(TS.patient_id, week)
    )
    return union_all(stored, live).subquery("weeks")


def topic_rows(
    frame: Frame, wstart: date, scope: Scope, halves: tuple[date, date] | None = None
) -> Any:
    """Topic rows from stored and live weeks: (patient_id, week, topic, n), n
    sessions of that week naming the topic; with ``halves`` (first half ends,
    second half starts) per patient instead: (patient_id, topic, n, first,
    second), far fewer rows for the practice-wide count."""
    kv = func.jsonb_each_text(PatientProgress.topics).table_valued("key", "value")
    week = local_week(frame)
    live_from = (
        select(TS.id.label("session_id"), TS.patient_id, week.label("week"), _TOPIC)
        .join(SessionMetrics, SessionMetrics.session_id == TS.id)
        .join(_TOPIC, true())
        .where(*_live_week_conds(frame, wstart, scope))
        .subquery("named")
    )
    stored_from = (
        select(
            PatientProgress.patient_id,
            PatientProgress.week_start_date.label("week"),
            kv.c.key.label("topic"),
            cast(kv.c.value, Integer).label("n"),
        )
        .select_from(PatientProgress)
        .join(kv, true())
        .where(*_stored_week_conds(frame, wstart, scope))
        .subquery("kept")
    )
    if halves is None:
        live = select(
            live_from.c.patient_id,
            live_from.c.week,
            live_from.c.topic,
            func.count(func.distinct(live_from.c.session_id)).label("n"),
        ).group_by(live_from.c.patient_id, live_from.c.week, live_from.c.topic)
        return union_all(select(stored_from), live).subquery("topics")
    first_end, second_start = halves

    def per_patient(src: Any, n: Any) -> Any:
        def part(cond: Any) -> Any:
            return func.coalesce(n(cond), 0)

        return select(
            src.c.patient_id,
            src.c.topic,
            part(true()).label("n"),
            part(src.c.week < first_end).label("first"),
            part(src.c.week >= second_start).label("second"),
        ).group_by(src.c.patient_id, src.c.topic)

    def stored_n(cond: Any) -> Any:
        return func.sum(stored_from.c.n).filter(cond)

    def live_n(cond: Any) -> Any:
        # a topic repeated in one session's list counts once
        return func.count(func.distinct(live_from.c.session_id)).filter(cond)

    return union_all(
        per_patient(stored_from, stored_n), per_patient(live_from, live_n)
    ).subquery("topics")


def _session_topic() -> Any:
    """Per session (a LATERAL on session_metrics): its normalised topics, case
    and surrounding spaces ignored, empty ones dropped."""
    arr = case(
        (func.jsonb_typeof(SessionMetrics.topics) == "array", SessionMetrics.topics),
        else_=literal_column("'[]'::jsonb", JSONB),
    )
    elem = func.jsonb_array_elements_text(arr).table_valued("value").alias("e")
    topic = func.lower(func.btrim(elem.c.value))
    return (
        select(topic.label("topic")).select_from(elem).where(topic != "").lateral("t")
    )


_TOPIC = _session_topic()


@dataclass(frozen=True)
class Scope:
    """Which stored rows and which live sessions a computation covers."""

    stored: ColumnElement[bool]
    live: ColumnElement[bool]
    # set when every row belongs to one therapist (the practice)
    therapist_id: uuid.UUID | None = None

    @classmethod
    def patient(cls, patient_id: uuid.UUID) -> Scope:
        return cls(
            PatientProgress.patient_id == patient_id, TS.patient_id == patient_id
        )

    @classmethod
    def practice(cls, user: User) -> Scope:
        stored = and_(
            PatientProgress.therapist_id == user.id,
            PatientProgress.patient_id.in_(readable_patient_ids(user)),
        )
        return cls(stored, practice(user), user.id)
