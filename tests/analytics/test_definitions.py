"""A small practice with every figure computed by hand from the README
definitions; each figure is read live, then again from stored rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DailyStats, PatientProgress, TherapySession
from db.queries.analytics import Frame
from services import analytics
from services.access import patient_or_not_found
from services.analytics_jobs import aggregate
from services.errors import BadInput
from tests.analytics.reference import Sess, World
from tests.analytics.world import figures, load, shape, therapists

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # a Wednesday


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


async def _practice(db: AsyncSession) -> tuple[World, Any, dict[str, uuid.UUID]]:
    t, o = await therapists(db, 2)
    p = {k: uuid.uuid4() for k in "ABCD"}
    sessions = [
        Sess(t.id, p["A"], at(9), "COMPLETED", 50, 2, ["Anxiety", "sleep"]),
        Sess(t.id, p["A"], at(2), "COMPLETED", 60, 3, ["anxiety"]),
        Sess(t.id, p["A"], at(23, month=2), "NO_SHOW"),
        Sess(t.id, p["B"], at(10, 9), "CANCELLED"),
        Sess(
            t.id,
            p["B"],
            at(11, 9),
            "COMPLETED",
            None,
            4,
            ["work", "anxiety", "anxiety "],
        ),
        Sess(t.id, p["B"], at(13, 9), "SCHEDULED"),
        Sess(t.id, p["A"], at(20), "SCHEDULED"),
        Sess(t.id, p["D"], at(10), "COMPLETED", 45),
        Sess(o.id, p["C"], at(10), "COMPLETED", 50, 5, ["grief"]),
    ]
    patients = {
        p["A"]: (False, {t.id}),
        p["B"]: (False, {t.id}),
        p["C"]: (False, {o.id}),
        p["D"]: (True, {t.id}),
    }
    world = World("UTC", NOW, sessions, patients)
    await load(db, world)
    return world, t, p


async def _figures(db: AsyncSession, t: Any, p: dict[str, uuid.UUID]) -> dict[str, Any]:
    frame = Frame("UTC", NOW)
    patient = await patient_or_not_found(db, t, p["A"])
    return {
        "overview": shape(await analytics.overview(db, t, frame)),
        "trends": shape(
            await analytics.session_trends(
                db,
                t,
                frame,
                analytics.TrendPeriod.LAST_7_DAYS,
                analytics.Granularity.DAY,
            )
        ),
        "progress": shape(await analytics.patient_progress(db, t, patient, frame, 3)),
        "topics": shape(await analytics.common_topics(db, t, frame, 20, 2)),
    }


def _check_hand_computed(f: dict[str, Any]) -> None:
    assert f["overview"] == {
        "totalPatients": 2,
        "activePatients": 2,
        "sessionsThisWeek": 4,
        "sessionsThisMonth": 6,
        "upcomingSessions": 2,
        "completionRate": 4 / 6,
    }
    points = {d["date"]: d for d in f["trends"]["dataPoints"]}
    assert list(points) == [f"2026-03-{d:02d}" for d in range(5, 12)]
    assert points["2026-03-09"] == {
        "date": "2026-03-09",
        "sessionsCompleted": 1,
        "sessionsCancelled": 0,
        "avgSessionDurationMin": 50.0,
        "completionRate": 1.0,
    }
    assert points["2026-03-10"]["sessionsCancelled"] == 1
    assert points["2026-03-10"]["avgSessionDurationMin"] == 45.0
    assert points["2026-03-10"]["completionRate"] == 0.5
    assert points["2026-03-11"]["avgSessionDurationMin"] is None
    assert points["2026-03-06"]["completionRate"] is None
    assert f["trends"]["summary"] == {
        "totalSessions": 4,
        "avgPerDay": 4 / 7,
        "peakDay": "2026-03-10",
        "completionRate": 0.75,
    }
    progress = f["progress"]
    assert progress["totalSessions"] == 2
    assert progress["attendanceRate"] == 2 / 3
    assert progress["moodTrend"] == {
        "current": "LOW",
        "trajectory": "DECLINING",
        "changePercent": -33.3,
    }
    assert progress["commonTopics"] == [
        {"topic": "anxiety", "frequency": 2},
        {"topic": "sleep", "frequency": 1},
    ]
    assert [
        (w["weekStart"], w["sessionsCount"], w["avgMoodScore"])
        for w in progress["weekly"]
    ] == [
        ("2026-02-23", 0, None),
        ("2026-03-02", 1, 3.0),
        ("2026-03-09", 1, 2.0),
    ]
    assert f["topics"] == [
        {"topic": "anxiety", "frequency": 3, "patientsAffected": 2, "trend": "stable"},
        {"topic": "sleep", "frequency": 1, "patientsAffected": 1, "trend": "stable"},
        {"topic": "work", "frequency": 1, "patientsAffected": 1, "trend": "stable"},
    ]


async def test_hand_computed_figures_live_and_from_stored_rows(
    db: AsyncSession,
) -> None:
    # given
    _, t, p = await _practice(db)

    # when
    live = await _figures(db, t, p)
    await aggregate(db, Frame("UTC", NOW))
    stored_days = await db.scalar(select(func.count()).select_from(DailyStats))
    stored_weeks = await db.scalar(select(func.count()).select_from(PatientProgress))
    stored = await _figures(db, t, p)

    # then
    _check_hand_computed(live)
    assert stored_days
    assert stored_weeks
    assert stored == live


async def test_a_change_after_aggregation_drops_the_stale_row(db: AsyncSession) -> None:
    # given: aggregated, then the no-show of Feb 23 is corrected to COMPLETED
    world, t, p = await _practice(db)
    await aggregate(db, Frame("UTC", NOW))
    await db.execute(
        update(TherapySession)
        .where(TherapySession.id == world.sessions[2].id)
        .values(attendance="COMPLETED")
    )
    world.sessions[2].attendance = "COMPLETED"

    # when
    after = await figures(db, world, t, [p["A"], p["B"]])

    # then
    from tests.analytics.world import expected

    assert after == expected(world, t, [p["A"], p["B"]])
    assert after["overview"]["completionRate"] == 5 / 6


@pytest.mark.parametrize(
    ("field", "limit", "weeks"),
    [("limit", 0, 12), ("limit", 101, 12), ("weeks", 20, 0), ("weeks", 20, 105)],
)
async def test_out_of_range_arguments_name_the_argument(
    db: AsyncSession, field: str, limit: int, weeks: int
) -> None:
    # given
    (t,) = await therapists(db, 1)

    # when
    with pytest.raises(BadInput) as caught:
        await analytics.common_topics(db, t, Frame("UTC", NOW), limit, weeks)

    # then
    assert caught.value.field == field
