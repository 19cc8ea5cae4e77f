"""Fixed-window rate-limit counters in PostgreSQL (shared by every process)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RateLimitCounter


async def hit_counter(db: AsyncSession, key: str, window_start: datetime) -> int:
    """Add one to ``key``'s counter of the window; the new count.

    One atomic upsert, so concurrent processes never lose an increment.
    """
    stmt = (
        insert(RateLimitCounter)
        .values(key=key, window_start=window_start, count=1)
        .on_conflict_do_update(
            index_elements=[RateLimitCounter.key, RateLimitCounter.window_start],
            set_={"count": RateLimitCounter.count + 1},
        )
        .returning(RateLimitCounter.count)
    )
    return int((await db.execute(stmt)).scalar_one())


async def drop_old_windows(db: AsyncSession, key: str, window_start: datetime) -> None:
    """Forget ``key``'s finished windows, so the table stays small."""
    await db.execute(
        delete(RateLimitCounter).where(
            RateLimitCounter.key == key, RateLimitCounter.window_start < window_start
        )
    )
