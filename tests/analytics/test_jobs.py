"""The scheduled aggregation (hour, Monday, switch) and `therapybridge aggregate`."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import to_libpq_url
from db.enums import Attendance
from db.models import (
    DEFAULT_PRACTICE_ID,
    AnalyticsCoverage,
    DailyStats,
    PatientProgress,
    TherapySession,
)
from db.runtime import migrate
from services.analytics_jobs import due, run_scheduled
from settings import Settings
from tests.analytics.reference import Sess, World
from tests.analytics.world import load, therapists
from tests.pg import PgServer

MONDAY_2AM_UTC = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "hour", "at", "expected"),
    [
        ("UTC", 2, MONDAY_2AM_UTC, (True, True)),
        ("UTC", 2, MONDAY_2AM_UTC + timedelta(days=1), (True, False)),
        ("UTC", 3, MONDAY_2AM_UTC, (False, False)),
        # 02:00 UTC is 22:00 on Sunday in New York (EDT since March 8)
        ("America/New_York", 22, MONDAY_2AM_UTC, (True, False)),
        ("America/New_York", 2, MONDAY_2AM_UTC + timedelta(hours=4), (True, True)),
    ],
)
def test_the_jobs_are_due_at_the_local_hour(
    tz: str, hour: int, at: datetime, expected: tuple[bool, bool]
) -> None:
    settings = Settings(scheduler_timezone=tz, daily_aggregation_hour=hour)

    assert due(settings, at) == expected


def test_the_switch_turns_the_jobs_off() -> None:
    settings = Settings(enable_analytics_scheduler=False, daily_aggregation_hour=2)

    assert due(settings, MONDAY_2AM_UTC) == (False, False)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Settings(scheduler_timezone="Mars/Olympus")


async def _practice(db: AsyncSession, now: datetime) -> None:
    t, _ = await therapists(db, 2)
    p = uuid.uuid4()
    sessions = [
        Sess(t.id, p, now - timedelta(days=d), "COMPLETED", 50, 3, ["sleep"])
        for d in (1, 2, 9, 16)
    ]
    await load(db, World("UTC", now, sessions, {p: (False, {t.id})}))


async def _count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_monday_tick_stores_days_and_weeks(
    db: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # given
    await _practice(db, MONDAY_2AM_UTC)
    await db.commit()
    settings = Settings(daily_aggregation_hour=2)

    # when
    ran = await run_scheduled(settings, session_factory, MONDAY_2AM_UTC, None)

    # then: nothing was covered, so every day and closed week with sessions
    assert ran == (True, True)
    assert await _count(db, DailyStats) == 4
    assert await _count(db, PatientProgress) == 3
    marks = (await db.execute(select(AnalyticsCoverage))).scalars().all()
    assert [(m.days_through, m.weeks_through) for m in marks] == [
        (date(2026, 3, 9), date(2026, 3, 9))
    ]


async def test_a_late_change_moves_the_mark_back_and_the_next_run_forward(
    db: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # given: covered up to Monday, then a session of 9 days ago is cancelled
    await _practice(db, MONDAY_2AM_UTC)
    await db.commit()
    await run_scheduled(
        Settings(daily_aggregation_hour=2), session_factory, MONDAY_2AM_UTC, None
    )
    old = (
        (await db.execute(select(TherapySession).order_by(TherapySession.session_date)))
        .scalars()
        .all()[1]
    )
    old.attendance = Attendance.CANCELLED
    await db.commit()
    moved = (await db.execute(select(AnalyticsCoverage))).scalar_one()
    await db.refresh(moved)
    back = (moved.days_through, moved.weeks_through)

    # when: the next day's run
    await run_scheduled(
        Settings(daily_aggregation_hour=2),
        session_factory,
        MONDAY_2AM_UTC + timedelta(days=1),
        None,
    )

    # then: days move forward; weeks wait for Monday (aggregated live till then)
    await db.refresh(moved)
    assert back == (date(2026, 2, 27), date(2026, 2, 23))
    assert (moved.days_through, moved.weeks_through) == (
        date(2026, 3, 10),
        date(2026, 2, 23),
    )
    cancelled = await db.scalar(
        select(DailyStats.sessions_cancelled).where(
            DailyStats.stat_date == date(2026, 2, 28)
        )
    )
    assert cancelled == 1


async def test_a_tick_at_another_hour_stores_nothing(
    db: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # given
    await _practice(db, MONDAY_2AM_UTC)
    await db.commit()

    # when
    ran = await run_scheduled(
        Settings(daily_aggregation_hour=5), session_factory, MONDAY_2AM_UTC, None
    )

    # then
    assert ran == (False, False)
    assert await _count(db, DailyStats) == 0


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "cli", "aggregate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_aggregate_command_backfills_idempotently(pg: PgServer) -> None:
    # given: a database with one committed session ten days ago
    url = pg.create_database("tb_agg")
    migrate(url)
    when = datetime.now(UTC) - timedelta(days=10)
    with psycopg.connect(to_libpq_url(url)) as conn:
        t, p = uuid.uuid4(), uuid.uuid4()
        conn.execute(
            "INSERT INTO users (id, email, password_hash, first_name, last_name, "
            "role, is_verified, is_active, created_at, updated_at, practice_id) "
            "VALUES (%s, 'agg@example.test', 'x', 'A', 'B', 'THERAPIST', true, "
            "true, now(), now(), %s)",
            (t, DEFAULT_PRACTICE_ID),
        )
        conn.execute(
            "INSERT INTO patients (id, name, created_at, updated_at, practice_id) "
            "VALUES (%s, 'P', now(), now(), %s)",
            (p, DEFAULT_PRACTICE_ID),
        )
        conn.execute("INSERT INTO patient_therapists VALUES (%s, %s, now())", (p, t))
        conn.execute(
            "INSERT INTO therapy_sessions (id, patient_id, therapist_id, "
            "session_date, attendance, status, created_at, updated_at) VALUES "
            "(%s, %s, %s, %s, 'COMPLETED', 'SCHEDULED', now(), now())",
            (uuid.uuid4(), p, t, when),
        )

    # when: run twice
    first = _cli(url)
    second = _cli(url, "--since", (when - timedelta(days=3)).date().isoformat())
    bad = _cli(url, "--since", "yesterday")

    # then
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert bad.returncode == 2
    with psycopg.connect(to_libpq_url(url)) as conn:
        days = conn.execute("SELECT sessions_completed FROM daily_stats").fetchall()
        weeks = conn.execute("SELECT sessions_count FROM patient_progress").fetchall()
    assert days == [(1,)]
    assert weeks == [(1,)]
