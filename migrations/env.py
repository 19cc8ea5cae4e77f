"""Alembic environment: async engine, URL from the caller or the settings."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from db.engine import to_async_url
from db.models import Base

config = context.config
LOCK_KEY = 0x7462_6D69_6772  # 'tbmigr'
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    # procrastinate manages its own tables
    return not (
        type_ == "table" and name is not None and name.startswith("procrastinate")
    )


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from db.runtime import resolve_database_url

        url = resolve_database_url()
    return to_async_url(url)


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        # servers starting together on one database migrate one at a time
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY}
        )
        context.run_migrations()


async def run_async() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async())


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
