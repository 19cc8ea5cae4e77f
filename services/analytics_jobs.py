"""Precomputation of analytics: scheduled procrastinate tasks and the backfill.

Stored rows are only a cache (see migration 0002: triggers drop a row when its
inputs change; queries aggregate live where no row exists), so these jobs can
run at any time, any number of times, and never change an answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import procrastinate
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import TherapySession
from db.queries.aggregation import store_days, store_weeks
from db.queries.analytics import Frame
from settings import Settings

log = logging.getLogger("therapybridge.analytics")

# the scheduled runs also redo recent closed days and weeks, so a change that
# raced with an earlier run is healed within a week
DAILY_LOOKBACK_DAYS = 7
WEEKLY_LOOKBACK_WEEKS = 4


@dataclass
class AggregateReport:
    since: date
    days_until: date | None
    weeks_until: date | None


async def aggregate(
    session: AsyncSession, frame: Frame, since: date | None = None
) -> AggregateReport:
    """Write the stored rows of every closed day and week from ``since``
    (default: the first session) up to now; idempotent."""
    if since is None:
        first = await session.scalar(select(func.min(TherapySession.session_date)))
        since = (first.astimezone(frame.zone).date() if first else frame.today) - (
            timedelta(days=1)
        )
    days = await store_days(session, frame, since, frame.today)
    weeks = await store_weeks(session, frame, since, frame.today)
    await session.flush()
    return AggregateReport(since, days, weeks)


async def daily_stats(session: AsyncSession, frame: Frame) -> date | None:
    """The daily run: the closed days of the last week."""
    start = frame.today - timedelta(days=DAILY_LOOKBACK_DAYS)
    return await store_days(session, frame, start, frame.today)


async def weekly_progress(session: AsyncSession, frame: Frame) -> date | None:
    """The Monday run: the last closed weeks' patient progress snapshots."""
    start = frame.monday - timedelta(weeks=WEEKLY_LOOKBACK_WEEKS)
    return await store_weeks(session, frame, start, frame.today)


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
) -> tuple[bool, bool]:
    """One hourly tick: run whichever of the daily and weekly jobs is due."""
    daily, weekly = due(settings, at)
    if not daily:
        return daily, weekly
    frame = Frame(settings.scheduler_timezone, at)
    async with session_factory() as session:
        await daily_stats(session, frame)
        if weekly:
            await weekly_progress(session, frame)
        await session.commit()
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
