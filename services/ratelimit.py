"""Rate limits: fixed windows counted in PostgreSQL, so they hold across
server processes and machines (nothing in process memory).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.queries.ratelimit import drop_old_windows, hit_counter
from services.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    window_seconds: int


async def check_rate_limit(
    db: AsyncSession,
    key: str,
    limit: int,
    window_seconds: int,
    now: datetime | None = None,
) -> None:
    """Count one hit of ``key`` in its current window; RATE_LIMITED past ``limit``.

    The caller decides the transaction; see ``enforce_limits`` for why request
    code should count in a transaction of its own.
    """
    now = now or utcnow()
    stamp = now.timestamp()
    start = int(stamp) - int(stamp) % window_seconds
    window_start = datetime.fromtimestamp(start, UTC)
    count = await hit_counter(db, key, window_start)
    if count == 1:
        await drop_old_windows(db, key, window_start)
    if count > limit:
        raise RateLimited(retry_after=max(1, math.ceil(start + window_seconds - stamp)))


async def enforce_limits(
    session_factory: async_sessionmaker[AsyncSession], limits: Sequence[Limit]
) -> None:
    """Count a hit against every limit, committed at once; then RATE_LIMITED
    (with the longest wait) if any is exceeded.

    The counters are written in a short transaction of their own, not in the
    request's: a mutation that fails (a wrong password, a rate limit) is rolled
    back whole by the UnitOfWork, and the attempt must still be counted.
    """
    exceeded: list[RateLimited] = []
    async with session_factory() as db:
        for item in limits:
            try:
                await check_rate_limit(db, item.key, item.limit, item.window_seconds)
            except RateLimited as exc:
                exceeded.append(exc)
        await db.commit()
    if exceeded:
        raise max(exceeded, key=lambda e: e.retry_after)


def subject_key(kind: str, value: str) -> str:
    """A counter key that does not store the raw value (emails are PII)."""
    digest = hashlib.sha256(value.encode()).hexdigest()
    return f"{kind}:{digest}"
