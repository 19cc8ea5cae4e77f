"""Engine and session factory."""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from settings import Settings

T = TypeVar("T")


def to_async_url(url: str) -> str:
    """Accept plain postgres:// URLs and point them at the asyncpg driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


def to_libpq_url(url: str) -> str:
    """The same database as a libpq URL (psycopg, procrastinate, psql)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


# a connection given back to the pool less than this long ago is taken as
# alive; an older one is pinged first (see ``_ping_if_idle``)
PING_AFTER_IDLE_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 5.0


def create_engine(settings: Settings, url: str) -> AsyncEngine:
    engine = create_async_engine(
        to_async_url(url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # nobody waits for a connection longer than an operation may take
        pool_timeout=settings.operation_timeout_seconds,
        connect_args={
            # a database that does not answer fails the request fast (asyncpg
            # waits 60 s by default); a refused connection fails at once
            "timeout": min(CONNECT_TIMEOUT_SECONDS, settings.operation_timeout_seconds),
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "application_name": "therapybridge",
            },
        },
    )
    event.listen(engine.sync_engine, "checkin", _note_checkin)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


def _note_checkin(dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """SQLAlchemy's pool_pre_ping, for connections that sat idle: its ping is
    three round trips with asyncpg (BEGIN, an empty query, ROLLBACK), on every
    request. A connection that served a request within the last second is
    alive as far as a ping can tell; one that sat longer (a restarted or
    failed-over database, a dropped idle connection) is pinged, and replaced
    when the ping fails (the pool retries the checkout on DisconnectionError).
    """
    returned = record.info.get("checked_in_at")
    if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        raise DisconnectionError("the pooled connection did not answer") from exc


class SerializedSession(AsyncSession):
    """An AsyncSession that queues concurrent calls instead of failing.

    GraphQL resolves sibling fields concurrently, and dataloaders of different
    entities may dispatch in the same tick; one request owns one session (and
    so one connection), so its statements must take turns.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turn = asyncio.Lock()

    async def _in_turn(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call()`` in this session's turn, run to its end even when the
        caller is cancelled (graphql-core cancels the siblings of a field that
        failed): a statement abandoned half-way leaves asyncpg's connection
        unusable and the transaction invalid, and the request's audit write
        then fails. The turn is held until the statement has ended; the
        caller's cancellation goes on after that."""
        async with self._turn:
            running = asyncio.ensure_future(call())
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                while not running.done():
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.wait({running})
                if not running.cancelled():
                    running.exception()  # retrieved: the caller is gone
                raise

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        call = AsyncSession.execute
        return await self._in_turn(lambda: call(self, *args, **kwargs))

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        call = AsyncSession.scalar
        return await self._in_turn(lambda: call(self, *args, **kwargs))

    # scalars() goes through execute(), so it needs no turn of its own

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        call = AsyncSession.get
        return await self._in_turn(lambda: call(self, *args, **kwargs))

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        call = AsyncSession.flush
        await self._in_turn(lambda: call(self, *args, **kwargs))


def create_sessionmaker(
    bind: AsyncEngine | AsyncConnection, **kwargs: Any
) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind,
        class_=SerializedSession,
        expire_on_commit=False,
        autoflush=False,
        **kwargs,
    )


_WITHOUT_TRANSACTION: weakref.WeakKeyDictionary[
    async_sessionmaker[AsyncSession], async_sessionmaker[AsyncSession]
] = weakref.WeakKeyDictionary()


def autocommit_sessionmaker(
    factory: async_sessionmaker[AsyncSession],
) -> async_sessionmaker[AsyncSession] | None:
    """``factory``'s sessions without BEGIN and COMMIT: each statement commits
    on its own, on the same pool. For operations that only read (and write
    their audit in one INSERT): under READ COMMITTED a transaction gives their
    statements nothing, and costs two round trips. None when ``factory`` is
    bound to a connection rather than an engine (the tests' transaction)."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        return None
    found = _WITHOUT_TRANSACTION.get(factory)
    if found is None:
        found = create_sessionmaker(
            bind.execution_options(isolation_level="AUTOCOMMIT")
        )
        _WITHOUT_TRANSACTION[factory] = found
    return found
