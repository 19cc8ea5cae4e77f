"""Precomputation of analytics: scheduled procrastinate tasks and the backfill.

Stored rows count only before each therapist's coverage mark (migration 0003:
triggers move the mark back when inputs change; queries aggregate live from the
mark on), so these jobs can run at any time, any number of times, and never
change an answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import procrastinate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.queries import aggregation as store
from db.queries.analytics import Frame
from settings import Settings

log = logging.getLogger("therapybridge.analytics")

# A session changed while the rows are computed moves its therapist's coverage
# mark back in its own transaction; under REPEATABLE READ the aggregation's
# update of that mark then fails (serialization error) instead of claiming rows
# computed from the older snapshot. The next run recomputes.
ISOLATION = "REPEATABLE READ"


@dataclass
class AggregateReport:
    since: date
    days_until: date | None
    weeks_until: date | None


async def aggregate(
    db: AsyncSession,
    frame: Frame,
    since: date | None = None,
    *,
    days: bool = True,
    weeks: bool = True,
) -> AggregateReport:
    """Write the stored rows of every closed day and week from ``since``
    (default: the first session) up to now and move the coverage marks;
    idempotent."""
    first = await store.first_session_day(db, frame)
    complete = since is None or first is None or since <= first
    if since is None:
        since = (first or frame.today) - timedelta(days=1)
    days_until = weeks_until = None
    if days:
        days_until = await store.store_days(db, frame, since, frame.today, complete)
    if weeks:
        weeks_until = await store.store_weeks(db, frame, since, frame.today, complete)
    if days_until or weeks_until:
        # fresh statistics, so the planner sees the stored rows (autovacuum
        # would, later); cheap on these narrow tables
        await store.analyze(db)
    await db.flush()
    return AggregateReport(since, days_until, weeks_until)


async def daily_stats(db: AsyncSession, frame: Frame) -> AggregateReport:
    """The daily run: every day from the lowest coverage mark (moved back by
    late changes) up to yesterday."""
    missing, lowest = await store.lowest_mark(db, "days_through")
    since = None if missing else lowest
    return await aggregate(db, frame, since, weeks=False)


async def weekly_progress(db: AsyncSession, frame: Frame) -> AggregateReport:
    """The Monday run: patient progress of every closed week from the lowest
    coverage mark on."""
    missing, lowest = await store.lowest_mark(db, "weeks_through")
    since = None if missing else lowest
    return await aggregate(db, frame, since, days=False)


def due(settings: Settings, at: datetime) -> tuple[bool, bool]:
    """(daily due, weekly due) for an hourly tick at ``at``, in local time."""
    if not settings.enable_analytics_scheduler:
        return False, False
    local = at.astimezone(Frame(settings.scheduler_timezone, at).zone)
    daily = local.hour == settings.daily_aggregation_hour
    return daily, daily and local.weekday() == 0


async def run_scheduled(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    at: datetime,
    isolation: str | None = ISOLATION,
) -> tuple[bool, bool]:
    """One hourly tick: run whichever of the daily and weekly jobs is due."""
    daily, weekly = due(settings, at)
    if not daily:
        return daily, weekly
    frame = Frame(settings.scheduler_timezone, at)
    async with session_factory() as db:
        if isolation:
            await db.connection(execution_options={"isolation_level": isolation})
        await daily_stats(db, frame)
        if weekly:
            await weekly_progress(db, frame)
        await db.commit()
    log.info("analytics aggregated", extra={"daily": daily, "weekly": weekly})
    return daily, weekly


# procrastinate's cron runs in UTC: an hourly tick that checks the local hour
# honours DAILY_AGGREGATION_HOUR in SCHEDULER_TIMEZONE, DST included, and reads
# ENABLE_ANALYTICS_SCHEDULER when it runs. services/jobs.py adds these tasks to
# its app under the namespace "analytics".
blueprint = procrastinate.Blueprint()


@blueprint.periodic(cron="0 * * * *", periodic_id="hourly")
@blueprint.task(name="tick", queue="maintenance", queueing_lock="analytics.tick")
async def tick(timestamp: int) -> None:
    """The hourly tick: daily stats at the configured hour, weekly on Mondays."""
    from services import jobs  # jobs imports this module for the blueprint

    rt = jobs.runtime()
    await run_scheduled(
        rt.settings, rt.session_factory, datetime.fromtimestamp(timestamp, UTC)
    )
