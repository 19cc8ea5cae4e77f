"""Deferring procrastinate jobs on the caller's own connection.

``procrastinate_defer_jobs_v1`` is the SQL function procrastinate's own
``defer_async`` calls (procrastinate/sql/queries.sql, ``defer_jobs``); calling
it here puts the job row in the caller's transaction, so the job commits, or
vanishes, with the change it follows. Its insert trigger NOTIFYs the workers,
which PostgreSQL delivers on commit.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# the one-row form of procrastinate's defer_jobs query; the WHERE makes a job
# whose queueing lock is already waiting a no-op instead of a unique violation
# (which would abort the caller's whole transaction). Without a FROM the
# condition gates the call: the function does not run when it is false.
_DEFER = text(
    """
    SELECT (procrastinate_defer_jobs_v1(ARRAY[ROW(
        CAST(:queue AS varchar), CAST(:task AS varchar), 0,
        CAST(:lock AS text), CAST(:queueing_lock AS text),
        CAST(:args AS jsonb), NULL::timestamptz
    )::procrastinate_job_to_defer_v1]))[1]
    WHERE CAST(:queueing_lock AS text) IS NULL OR NOT EXISTS (
        SELECT 1 FROM procrastinate_jobs
        WHERE queueing_lock = CAST(:queueing_lock AS text) AND status = 'todo'
    )
    """
)


async def defer_job(
    db: AsyncSession,
    *,
    task: str,
    queue: str,
    args: dict[str, Any],
    lock: str | None = None,
    queueing_lock: str | None = None,
) -> int | None:
    """Insert a job in the session's transaction; its id, or None when a job
    with the same queueing lock is already waiting."""
    result = await db.execute(
        _DEFER,
        {
            "queue": queue,
            "task": task,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": json.dumps(args),
        },
    )
    found = result.scalar_one_or_none()
    return None if found is None else int(found)
