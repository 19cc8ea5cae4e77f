"""Operational queries: the job queue as metrics see it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_QUEUE_DEPTH = text(
    """
    SELECT queue_name, status::text, count(*)
    FROM procrastinate_jobs
    WHERE status IN ('todo', 'doing')
    GROUP BY queue_name, status
    ORDER BY queue_name, status
    """
)


async def queue_depth(db: AsyncSession) -> list[tuple[str, str, int]]:
    """(queue, status, jobs) for waiting and running jobs; empty before the
    job tables exist."""
    exists = await db.scalar(text("SELECT to_regclass('procrastinate_jobs')"))
    if exists is None:
        return []
    rows = await db.execute(_QUEUE_DEPTH)
    return [(str(q), str(s), int(n)) for q, s, n in rows]


async def job_store_ready(db: AsyncSession) -> bool:
    """Whether the job queue's tables are installed in this database."""
    found = await db.scalar(
        text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
    )
    return bool(found)
