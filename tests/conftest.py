"""Fixtures: a real PostgreSQL, a transaction per test, an ASGI client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

os.environ["ENVIRONMENT"] = "test"
os.environ.setdefault("JWT_SECRET_KEY", "test-secret-key-with-at-least-32-characters")

from app import create_app
from db.engine import create_sessionmaker
from db.runtime import migrate
from settings import Settings, get_settings
from tests.pg import PgServer


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    server = PgServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def database_url(pg: PgServer) -> str:
    url = pg.create_database()
    migrate(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    get_settings.cache_clear()
    return Settings(environment="test", database_url=database_url)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_async_engine(database_url, poolclass=NullPool)
    yield eng
    await eng.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection in an outer transaction, rolled back after the test."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        yield conn
        if trans.is_active:
            await trans.rollback()


@pytest.fixture
def session_factory(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # commits inside the app release a savepoint; the outer transaction stays
    return create_sessionmaker(connection, join_transaction_mode="create_savepoint")


@pytest.fixture
async def db(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture
async def client(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, session_factory=session_factory)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


class GQL:
    """Posts GraphQL operations; returns the decoded response body."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        **headers: str,
    ) -> dict[str, Any]:
        hdrs = dict(headers)
        if token:
            hdrs["authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=hdrs,
        )
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GQL:
    return GQL(client)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]
