"""Engine and session factory."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from settings import Settings


def to_async_url(url: str) -> str:
    """Accept plain postgres:// URLs and point them at the asyncpg driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


def to_libpq_url(url: str) -> str:
    """The same database as a libpq URL (psycopg, procrastinate, psql)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def create_engine(settings: Settings, url: str) -> AsyncEngine:
    return create_async_engine(
        to_async_url(url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        connect_args={
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "application_name": "therapybridge",
            },
        },
    )


class SerializedSession(AsyncSession):
    """An AsyncSession that queues concurrent calls instead of failing.

    GraphQL resolves sibling fields concurrently, and dataloaders of different
    entities may dispatch in the same tick; one request owns one session (and
    so one connection), so its statements must take turns.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turn = asyncio.Lock()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        async with self._turn:
            return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        async with self._turn:
            return await super().scalar(*args, **kwargs)

    # scalars() goes through execute(), so it needs no turn of its own

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        async with self._turn:
            return await super().get(*args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        async with self._turn:
            await super().flush(*args, **kwargs)


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
