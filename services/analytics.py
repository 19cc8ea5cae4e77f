"""Analytics: the definitions (README "Analytics") over SQL aggregates.

The database does the counting (db/queries/analytics.py, progress.py); this
module turns at most a few hundred aggregate rows into the figures. Mood
arithmetic is exact (fractions), so a threshold is never missed by a rounding.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Mood, MoodTrajectory, Role
from db.models import Patient, User
from db.queries import analytics as q
from db.queries import progress as pq
from db.queries.analytics import Frame
from services.analytics_types import (
    CommonTopic,
    Granularity,
    MoodTrend,
    PatientProgress,
    PracticeOverview,
    SessionTrends,
    TopicCount,
    TrendPeriod,
    TrendPoint,
    TrendSummary,
    WeeklyProgress,
)
from services.errors import BadInput, Forbidden

ACTIVE_DAYS = 30
RECENT_SESSIONS = 5
PATIENT_TOPICS = 20
SLOPE_THRESHOLD = Fraction(1, 10)  # mood points per week
FLUCTUATION_RMS = Fraction(3, 4)  # mood points around the fitted line
TOPIC_RATIO = Fraction(5, 4)  # the second half must be 25% above the first
TOPIC_MIN_DIFF = 2  # ... and by at least two sessions


def check_range(field: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise BadInput(field, f"{field} must be between {low} and {high}")
    return value


def practice_owner(user: User) -> User:
    """Analytics of a practice: therapists (and admins, for their own patients)."""
    if user.role is Role.PATIENT:
        raise Forbidden("Analytics are for therapists")
    return user


def completion_rate(completed: int, cancelled: int, no_show: int) -> float | None:
    decided = completed + cancelled + no_show
    return completed / decided if decided else None


async def overview(db: AsyncSession, user: User, frame: Frame) -> PracticeOverview:
    """The practice overview of ``user`` at ``frame.now``."""
    today = frame.today
    month_start = today.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    row = await q.practice_overview(
        db,
        user,
        frame,
        (frame.monday, frame.monday + timedelta(6)),
        (month_start, next_month - timedelta(1)),
        frame.now - timedelta(days=ACTIVE_DAYS),
    )
    return PracticeOverview(
        total_patients=row["total_patients"],
        active_patients=row["active_patients"],
        sessions_this_week=row["week"],
        sessions_this_month=row["month"],
        upcoming_sessions=row["upcoming"],
        completion_rate=_rate(row) or 0.0,
    )


def _rate(t: dict[str, int]) -> float | None:
    return completion_rate(t["completed"], t["cancelled"], t["no_show"])


async def session_trends(
    db: AsyncSession,
    user: User,
    frame: Frame,
    period: TrendPeriod,
    granularity: Granularity,
) -> SessionTrends:
    """Sessions per day, week or month over the period, up to now."""
    start = frame.today - timedelta(days=period.days - 1)
    rows = await q.practice_buckets(db, user, frame, start, granularity.value.lower())
    by_bucket = {r["bucket"]: r for r in rows}
    points = [
        _point(b, by_bucket.get(b)) for b in _buckets(start, frame.today, granularity)
    ]
    totals = {k: sum(r[k] for r in rows) for k in ("total", "completed")}
    totals.update({k: sum(r[k] for r in rows) for k in ("cancelled", "no_show")})
    return SessionTrends(
        period=period,
        granularity=granularity,
        data_points=points,
        summary=TrendSummary(
            total_sessions=totals["total"],
            avg_per_day=totals["total"] / period.days,
            peak_day=rows[0]["peak"] if rows else None,
            completion_rate=_rate(totals),
        ),
    )


def _buckets(start: date, end: date, granularity: Granularity) -> list[date]:
    if granularity is Granularity.DAY:
        return [start + timedelta(i) for i in range((end - start).days + 1)]
    if granularity is Granularity.WEEK:
        first = q.monday_of(start)
        return [first + timedelta(7 * i) for i in range((end - first).days // 7 + 1)]
    out, cur = [], start.replace(day=1)
    while cur <= end:
        out.append(cur)
        cur = (cur + timedelta(days=32)).replace(day=1)
    return out


def _point(bucket: date, row: dict[str, int] | None) -> TrendPoint:
    if row is None:
        return TrendPoint(bucket, 0, 0, None, None)
    dur = row["dur_sum"] / row["dur_count"] if row["dur_count"] else None
    return TrendPoint(bucket, row["completed"], row["cancelled"], dur, _rate(row))


def window_start(frame: Frame, weeks: int) -> date:
    return frame.monday - timedelta(weeks=weeks - 1)


async def patient_progress(
    db: AsyncSession, user: User, patient: Patient, frame: Frame, weeks: int
) -> PatientProgress:
    """The progress of a patient ``user`` may read, over ``weeks`` weeks."""
    check_range("weeks", weeks, 1, 104)
    wstart = window_start(frame, weeks)
    start = frame.instant(wstart)
    rows = {r["week"]: r for r in await pq.patient_weeks(db, patient.id, frame, wstart)}
    topics: dict[date, dict[str, int]] = defaultdict(dict)
    for week, topic, n in await pq.patient_week_topics(db, patient.id, frame, wstart):
        topics[week][topic] = n
    weekly = []
    for i in range(weeks):
        week = wstart + timedelta(weeks=i)
        row = rows.get(week, {"sessions": 0, "mood_count": 0, "mood_sum": 0})
        avg = row["mood_sum"] / row["mood_count"] if row["mood_count"] else None
        weekly.append(
            WeeklyProgress(week, row["sessions"], avg, top_topics(topics[week]))
        )
    overall: dict[str, int] = defaultdict(int)
    for per_week in topics.values():
        for topic, n in per_week.items():
            overall[topic] += n
    att = await pq.patient_attendance(db, patient.id, start, frame.now)
    attended = att["completed"] + att["no_show"]
    current = att["mood"]
    averages = [
        (i, Fraction(r["mood_sum"], r["mood_count"]))
        for i, w in enumerate(wstart + timedelta(weeks=k) for k in range(weeks))
        if (r := rows.get(w)) and r["mood_count"]
    ]
    recent = await pq.recent_sessions(db, user, patient.id, frame.now, RECENT_SESSIONS)
    return PatientProgress(
        patient=patient,
        total_sessions=sum(w.sessions_count for w in weekly),
        recent_sessions=list(recent),
        mood_trend=MoodTrend(
            current=list(Mood)[current - 1] if current else None,
            trajectory=mood_trajectory(averages),
            change_percent=change_percent(averages),
        ),
        common_topics=top_topics(overall)[:PATIENT_TOPICS],
        attendance_rate=att["completed"] / attended if attended else 0.0,
        weekly=weekly,
    )


def top_topics(counts: dict[str, int]) -> list[TopicCount]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [TopicCount(t, n) for t, n in ordered]


def mood_trajectory(points: list[tuple[int, Fraction]]) -> MoodTrajectory | None:
    """Least-squares slope of weekly mood averages against the week index."""
    n = len(points)
    if n < 2:
        return None
    mx = Fraction(sum(x for x, _ in points), n)
    my = sum((y for _, y in points), Fraction(0)) / n
    sxx = sum(((x - mx) ** 2 for x, _ in points), Fraction(0))
    sxy = sum(((x - mx) * (y - my) for x, y in points), Fraction(0))
    slope = sxy / sxx
    residual = sum(((y - my - slope * (x - mx)) ** 2 for x, y in points), Fraction(0))
    if n >= 3 and residual / n >= FLUCTUATION_RMS**2:
        return MoodTrajectory.FLUCTUATING
    if slope >= SLOPE_THRESHOLD:
        return MoodTrajectory.IMPROVING
    if slope <= -SLOPE_THRESHOLD:
        return MoodTrajectory.DECLINING
    return MoodTrajectory.STABLE


def change_percent(points: list[tuple[int, Fraction]]) -> float | None:
    """The last week's average against the first's, in percent (1 decimal)."""
    if len(points) < 2:
        return None
    first, last = points[0][1], points[-1][1]
    return round(float((last - first) / first * 100), 1)


def topic_trend(first: int, second: int) -> str:
    if second - first >= TOPIC_MIN_DIFF and second >= TOPIC_RATIO * first:
        return "increasing"
    if first - second >= TOPIC_MIN_DIFF and first >= TOPIC_RATIO * second:
        return "decreasing"
    return "stable"


async def common_topics(
    db: AsyncSession, user: User, frame: Frame, limit: int, weeks: int
) -> list[CommonTopic]:
    """The practice's most frequent topics over ``weeks`` weeks."""
    check_range("limit", limit, 1, 100)
    check_range("weeks", weeks, 1, 104)
    wstart = window_start(frame, weeks)
    half = weeks // 2
    rows = await pq.practice_topics(
        db,
        user,
        frame,
        wstart,
        wstart + timedelta(weeks=half),
        wstart + timedelta(weeks=weeks - half),
        limit,
    )
    return [
        CommonTopic(
            r["topic"],
            r["frequency"],
            r["patients"],
            topic_trend(r["first"], r["second"]),
        )
        for r in rows
    ]


__all__ = [
    "CommonTopic",
    "Granularity",
    "MoodTrend",
    "PatientProgress",
    "PracticeOverview",
    "SessionTrends",
    "TopicCount",
    "TrendPeriod",
    "TrendPoint",
    "TrendSummary",
    "WeeklyProgress",
    "check_range",
    "common_topics",
    "overview",
    "patient_progress",
    "practice_owner",
    "session_trends",
]
