"""A plain-Python reference implementation of the README "Analytics" definitions.

Deliberately naive: it walks every session in memory, with none of the
server's SQL, stored rows or helpers, so a disagreement points at a bug in one
of the two. Mood arithmetic uses fractions, as the definitions are exact.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

MOODS = ["VERY_LOW", "LOW", "NEUTRAL", "POSITIVE", "VERY_POSITIVE"]
PERIOD_DAYS = {
    "LAST_7_DAYS": 7,
    "LAST_30_DAYS": 30,
    "LAST_90_DAYS": 90,
    "LAST_YEAR": 365,
}


@dataclass
class Sess:
    therapist_id: uuid.UUID
    patient_id: uuid.UUID
    at: datetime
    attendance: str
    duration: int | None = None
    mood: int | None = None  # None: no mood score
    topics: list[str] | None = None  # None: no metrics row
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class World:
    tz: str
    now: datetime
    sessions: list[Sess]
    # patient id -> (archived, assigned therapist ids)
    patients: dict[uuid.UUID, tuple[bool, set[uuid.UUID]]]

    def day(self, at: datetime) -> date:
        return at.astimezone(ZoneInfo(self.tz)).date()

    @property
    def today(self) -> date:
        return self.day(self.now)

    @property
    def monday(self) -> date:
        return self.today - timedelta(days=self.today.weekday())

    def practice(self, therapist: uuid.UUID) -> list[Sess]:
        return [
            s
            for s in self.sessions
            if s.therapist_id == therapist
            and therapist in self.patients[s.patient_id][1]
        ]


def held(s: Sess) -> bool:
    return s.attendance in ("COMPLETED", "SCHEDULED")


def rate(sessions: list[Sess]) -> float | None:
    c = sum(s.attendance == "COMPLETED" for s in sessions)
    d = sum(s.attendance in ("COMPLETED", "CANCELLED", "NO_SHOW") for s in sessions)
    return c / d if d else None


def overview(w: World, t: uuid.UUID) -> dict[str, Any]:
    mine = w.practice(t)
    month = w.today.replace(day=1)
    assigned = [
        p for p, (archived, ts) in w.patients.items() if t in ts and not archived
    ]
    active = {
        s.patient_id
        for s in mine
        if held(s)
        and w.now - timedelta(days=30) <= s.at <= w.now
        and not w.patients[s.patient_id][0]
    }
    return {
        "totalPatients": len(assigned),
        "activePatients": len(active),
        "sessionsThisWeek": sum(
            held(s) and w.monday <= w.day(s.at) < w.monday + timedelta(7) for s in mine
        ),
        "sessionsThisMonth": sum(
            held(s)
            and (w.day(s.at).year, w.day(s.at).month) == (month.year, month.month)
            for s in mine
        ),
        "upcomingSessions": sum(
            s.at > w.now and s.attendance == "SCHEDULED" for s in mine
        ),
        "completionRate": rate([s for s in mine if s.at <= w.now]) or 0.0,
    }


def bucket_of(d: date, granularity: str) -> date:
    if granularity == "DAY":
        return d
    if granularity == "WEEK":
        return d - timedelta(days=d.weekday())
    return d.replace(day=1)


def session_trends(
    w: World, t: uuid.UUID, period: str, granularity: str
) -> dict[str, Any]:
    days = PERIOD_DAYS[period]
    start = w.today - timedelta(days=days - 1)
    inside = [s for s in w.practice(t) if start <= w.day(s.at) and s.at <= w.now]
    buckets: list[date] = []
    d = start
    while d <= w.today:
        if bucket_of(d, granularity) not in buckets:
            buckets.append(bucket_of(d, granularity))
        d += timedelta(1)
    points = []
    for b in buckets:
        ss = [s for s in inside if bucket_of(w.day(s.at), granularity) == b]
        durs = [
            s.duration
            for s in ss
            if s.attendance == "COMPLETED" and s.duration is not None
        ]
        points.append(
            {
                "date": b.isoformat(),
                "sessionsCompleted": sum(s.attendance == "COMPLETED" for s in ss),
                "sessionsCancelled": sum(s.attendance == "CANCELLED" for s in ss),
                "avgSessionDurationMin": sum(durs) / len(durs) if durs else None,
                "completionRate": rate(ss),
            }
        )
    per_day: dict[date, int] = {}
    for s in inside:
        per_day[w.day(s.at)] = per_day.get(w.day(s.at), 0) + 1
    peak = min(per_day, key=lambda d: (-per_day[d], d)) if per_day else None
    return {
        "period": period,
        "granularity": granularity,
        "dataPoints": points,
        "summary": {
            "totalSessions": len(inside),
            "avgPerDay": len(inside) / days,
            "peakDay": peak.isoformat() if peak else None,
            "completionRate": rate(inside),
        },
    }


def norm_topics(s: Sess) -> set[str]:
    return {x.strip(" ").lower() for x in s.topics or []} - {""}


def sort_topics(counts: dict[str, int]) -> list[dict[str, Any]]:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"topic": k, "frequency": v} for k, v in items]


def trajectory(points: list[tuple[int, Fraction]]) -> str | None:
    n = len(points)
    if n < 2:
        return None
    xs = [Fraction(x) for x, _ in points]
    ys = [y for _, y in points]
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    intercept = my - slope * mx
    mean_sq = (
        sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True)) / n
    )
    if n >= 3 and mean_sq >= Fraction(9, 16):
        return "FLUCTUATING"
    if slope >= Fraction(1, 10):
        return "IMPROVING"
    if slope <= Fraction(-1, 10):
        return "DECLINING"
    return "STABLE"


def patient_progress(w: World, p: uuid.UUID, weeks: int) -> dict[str, Any]:
    wstart = w.monday - timedelta(weeks=weeks - 1)
    mine = [
        s
        for s in w.sessions
        if s.patient_id == p and wstart <= w.day(s.at) and s.at <= w.now
    ]
    counted = [s for s in mine if held(s)]
    weekly = []
    overall: dict[str, int] = {}
    points: list[tuple[int, Fraction]] = []
    for i in range(weeks):
        ws = wstart + timedelta(weeks=i)
        ss = [s for s in counted if ws <= w.day(s.at) < ws + timedelta(7)]
        moods = [s.mood for s in ss if s.mood is not None]
        counts: dict[str, int] = {}
        for s in ss:
            for topic in norm_topics(s):
                counts[topic] = counts.get(topic, 0) + 1
                overall[topic] = overall.get(topic, 0) + 1
        if moods:
            points.append((i, Fraction(sum(moods), len(moods))))
        weekly.append(
            {
                "weekStart": ws.isoformat(),
                "sessionsCount": len(ss),
                "avgMoodScore": sum(moods) / len(moods) if moods else None,
                "topics": sort_topics(counts),
            }
        )
    with_mood = sorted((s for s in counted if s.mood is not None), key=lambda s: s.at)
    last_mood = with_mood[-1].mood if with_mood else None
    completed = sum(s.attendance == "COMPLETED" for s in mine)
    no_show = sum(s.attendance == "NO_SHOW" for s in mine)
    change = None
    if len(points) >= 2:
        change = round(float((points[-1][1] - points[0][1]) / points[0][1] * 100), 1)
    return {
        "totalSessions": len(counted),
        "moodTrend": {
            "current": None if last_mood is None else MOODS[last_mood - 1],
            "trajectory": trajectory(points),
            "changePercent": change,
        },
        "commonTopics": sort_topics(overall)[:20],
        "attendanceRate": completed / (completed + no_show)
        if completed + no_show
        else 0.0,
        "weekly": weekly,
    }


def common_topics(
    w: World, t: uuid.UUID, limit: int, weeks: int
) -> list[dict[str, Any]]:
    wstart = w.monday - timedelta(weeks=weeks - 1)
    half = weeks // 2
    first_end = wstart + timedelta(weeks=half)
    second_start = wstart + timedelta(weeks=weeks - half)
    freq: dict[str, int] = {}
    patients: dict[str, set[uuid.UUID]] = {}
    first: dict[str, int] = {}
    second: dict[str, int] = {}
    for s in w.practice(t):
        if not (held(s) and wstart <= w.day(s.at) and s.at <= w.now):
            continue
        for topic in norm_topics(s):
            freq[topic] = freq.get(topic, 0) + 1
            patients.setdefault(topic, set()).add(s.patient_id)
            if w.day(s.at) < first_end:
                first[topic] = first.get(topic, 0) + 1
            if w.day(s.at) >= second_start:
                second[topic] = second.get(topic, 0) + 1
    out = []
    for item in sort_topics(freq)[:limit]:
        topic = item["topic"]
        f1, f2 = first.get(topic, 0), second.get(topic, 0)
        if f2 - f1 >= 2 and 4 * f2 >= 5 * f1:
            trend = "increasing"
        elif f1 - f2 >= 2 and 4 * f1 >= 5 * f2:
            trend = "decreasing"
        else:
            trend = "stable"
        out.append({**item, "patientsAffected": len(patients[topic]), "trend": trend})
    return out
