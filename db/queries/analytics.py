"""Analytics reads: SQL aggregation over sessions, stored rows where they exist.

Stored rows (daily_stats per therapist and local day, patient_progress per
patient, therapist and local week) cover closed days and weeks only. Every
query takes a stored row when one exists and aggregates the sessions live for
the days/weeks without one (the current day or week always), so the figures
are the same with and without precomputation. Local dates are in
``Frame.tz`` (SCHEDULER_TIMEZONE); range bounds are UTC instants computed by the
caller so that the (therapist|patient, session_date) indexes apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    and_,
    cast,
    func,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.enums import Attendance
from db.models import (
    AnalyticsCoverage,
    DailyStats,
    Patient,
    TherapySession,
    User,
)
from db.queries.scoping import readable_patient_ids

TS = TherapySession
# a session that took place or may still take place (not called off)
COUNTED = (Attendance.COMPLETED, Attendance.SCHEDULED)


@dataclass(frozen=True)
class Frame:
    """The clock and time zone every boundary of one computation uses."""

    tz: str
    now: datetime  # aware

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    @property
    def monday(self) -> date:
        return monday_of(self.today)

    def instant(self, day: date) -> datetime:
        """The first instant of a local day."""
        return datetime.combine(day, time(0), tzinfo=self.zone)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_day(frame: Frame, col: Any = TS.session_date) -> ColumnElement[date]:
    return cast(func.timezone(frame.tz, col), Date)


def local_week(frame: Frame, col: Any = TS.session_date) -> ColumnElement[date]:
    # date_trunc('week') starts weeks on Monday (ISO)
    return cast(func.date_trunc("week", func.timezone(frame.tz, col)), Date)


def practice(user: User) -> ColumnElement[bool]:
    """The caller's practice: sessions they hold with patients assigned to them."""
    return and_(
        TS.therapist_id == user.id, TS.patient_id.in_(readable_patient_ids(user))
    )


def _n(cond: ColumnElement[bool]) -> Any:
    return func.count().filter(cond)


def _att(a: Attendance) -> ColumnElement[bool]:
    return TS.attendance == a


# stored rows count before a therapist's coverage mark (never after today or
# this week); no mark means nothing stored
FAR_PAST = date(1900, 1, 1)


def through_mark(mark: Any, therapist: Any, cap: date) -> ColumnElement[date]:
    found = (
        select(mark)
        .where(AnalyticsCoverage.therapist_id == therapist)
        .scalar_subquery()
    )
    return func.least(func.coalesce(found, FAR_PAST), cap)


def first_instant(frame: Frame, day: ColumnElement[date]) -> ColumnElement[datetime]:
    """The first instant of a local day computed in SQL."""
    return func.timezone(frame.tz, cast(day, DateTime(timezone=False)))


# ---- practice, per day ---------------------------------------------------


def practice_days(
    user: User, frame: Frame, start: date | None, end: date, until: datetime | None
) -> Any:
    """Per local day in [start, end]: counts by attendance and durations,
    split by ``past`` (dated up to now; a stored, closed day is all past).

    ``until`` (inclusive) cuts live sessions off at an instant (``now`` for
    "past sessions"); it must not precede today, as stored days are whole.
    """
    through = through_mark(AnalyticsCoverage.days_through, user.id, frame.today)
    stored_conds = [
        DailyStats.therapist_id == user.id,
        DailyStats.stat_date <= end,
        DailyStats.stat_date < through,
    ]
    live_conds = [
        practice(user),
        TS.session_date < frame.instant(end + timedelta(1)),
        TS.session_date >= first_instant(frame, through),
    ]
    if start is not None:
        stored_conds.append(DailyStats.stat_date >= start)
        live_conds.append(TS.session_date >= frame.instant(start))
    if until is not None:
        live_conds.append(TS.session_date <= until)
    day = local_day(frame)
    done = and_(_att(Attendance.COMPLETED), TS.duration_minutes.is_not(None))
    past = TS.session_date <= frame.now
    stored = select(
        DailyStats.stat_date.label("day"),
        true().label("past"),
        DailyStats.sessions_total.label("total"),
        DailyStats.sessions_completed.label("completed"),
        DailyStats.sessions_cancelled.label("cancelled"),
        DailyStats.sessions_no_show.label("no_show"),
        DailyStats.total_duration_minutes.label("dur_sum"),
        DailyStats.duration_count.label("dur_count"),
    ).where(*stored_conds)
    live = (
        select(
            day.label("day"),
            past.label("past"),
            func.count().label("total"),
            _n(_att(Attendance.COMPLETED)).label("completed"),
            _n(_att(Attendance.CANCELLED)).label("cancelled"),
            _n(_att(Attendance.NO_SHOW)).label("no_show"),
            func.coalesce(func.sum(TS.duration_minutes).filter(done), 0).label(
                "dur_sum"
            ),
            _n(done).label("dur_count"),
        )
        .where(*live_conds)
        .group_by(day, past)
    )
    return union_all(stored, live).subquery("days")


COLUMNS = ("total", "completed", "cancelled", "no_show", "dur_sum", "dur_count")


def _sum(col: Any, cond: Any = None) -> Any:
    total = func.sum(col) if cond is None else func.sum(col).filter(cond)
    return func.coalesce(total, 0).cast(Integer)


async def practice_overview(
    db: AsyncSession,
    user: User,
    frame: Frame,
    week: tuple[date, date],
    month: tuple[date, date],
    active_since: datetime,
) -> dict[str, int]:
    """One statement: patients, active patients, upcoming sessions, the week's
    and month's counting sessions and the attendance of all past sessions."""
    days = practice_days(user, frame, None, max(week[1], month[1]), None)
    held = days.c.total - days.c.cancelled - days.c.no_show
    past = days.c.past
    mine = readable_patient_ids(user)
    live_patient = and_(Patient.id.in_(mine), Patient.archived_at.is_(None))
    total = select(func.count()).select_from(Patient).where(live_patient)
    active = (
        select(func.count(func.distinct(TS.patient_id)))
        .join(Patient, Patient.id == TS.patient_id)
        .where(
            practice(user),
            Patient.archived_at.is_(None),
            TS.attendance.in_(COUNTED),
            TS.session_date >= active_since,
            TS.session_date <= frame.now,
        )
    )
    upcoming = select(func.count()).where(
        practice(user), TS.session_date > frame.now, _att(Attendance.SCHEDULED)
    )
    stmt = select(
        total.scalar_subquery().label("total_patients"),
        active.scalar_subquery().label("active_patients"),
        upcoming.scalar_subquery().label("upcoming"),
        _sum(held, days.c.day.between(*week)).label("week"),
        _sum(held, days.c.day.between(*month)).label("month"),
        _sum(days.c.completed, past).label("completed"),
        _sum(days.c.cancelled, past).label("cancelled"),
        _sum(days.c.no_show, past).label("no_show"),
    ).select_from(days)
    return dict((await db.execute(stmt)).one()._mapping)


async def practice_buckets(
    db: AsyncSession, user: User, frame: Frame, start: date, unit: str
) -> list[dict[str, Any]]:
    """Per bucket (day, week or month start) from ``start`` up to now, each
    row with the range's peak day (most sessions, earliest on a tie)."""
    days = practice_days(user, frame, start, frame.today, frame.now)
    per_day = (
        select(days.c.day, *(_sum(days.c[c]).label(c) for c in COLUMNS))
        .group_by(days.c.day)
        .subquery("per_day")
    )
    peak = (
        select(per_day.c.day)
        .where(per_day.c.total > 0)
        .order_by(per_day.c.total.desc(), per_day.c.day)
        .limit(1)
        .scalar_subquery()
    )
    bucket = cast(func.date_trunc(unit, per_day.c.day), Date).label("bucket")
    stmt = (
        select(
            bucket, *(_sum(per_day.c[c]).label(c) for c in COLUMNS), peak.label("peak")
        )
        .group_by(bucket)
        .order_by(bucket)
    )
    return [dict(r._mapping) for r in await db.execute(stmt)]
