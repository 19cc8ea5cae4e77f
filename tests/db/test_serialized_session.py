"""A request's session takes its statements in turns, and a statement whose
caller is cancelled (graphql-core cancels the siblings of a field that failed)
runs to its end: abandoned half-way, it left the connection unusable and the
request's audit write failed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import autocommit_sessionmaker, create_sessionmaker


async def _cancel_mid_statement(db: AsyncSession) -> None:
    slow = asyncio.create_task(db.execute(text("SELECT pg_sleep(0.3)")))
    await asyncio.sleep(0.1)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow


async def test_a_cancelled_statement_leaves_the_session_usable(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    session = session_factory()
    try:
        await _cancel_mid_statement(session)
        assert (await session.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await session.close()


async def test_the_next_statement_waits_for_the_cancelled_one(
    engine: AsyncEngine,
) -> None:
    """Without a transaction too (known queries run so): the statement after
    a cancelled one starts once it has ended, on the same connection."""
    factory = autocommit_sessionmaker(create_sessionmaker(engine))
    assert factory is not None
    session = factory()
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await _cancel_mid_statement(session)
        value = (await session.execute(text("SELECT 2"))).scalar()
        assert value == 2
        assert loop.time() - started >= 0.25
    finally:
        await session.close()
