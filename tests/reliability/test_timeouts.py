"""A statement timeout and an operation timeout are QUERY_TOO_COMPLEX with
kind "timeout", never a masked INTERNAL_SERVER_ERROR; the request's
transaction is rolled back and the connection serves the next request."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import User
from settings import Settings
from tests.schema.probe import probe_client

WRITE = "mutation($e: String!) { writeThenStatementTimeout(email: $e) }"
# a request that needs the database (a write), to show the connection works
FOLLOW = "mutation($e: String!) { writeThenWait(email: $e, seconds: 0) }"


async def _post(client: httpx.AsyncClient, query: str, **variables: Any) -> Any:
    r = await client.post("/graphql", json={"query": query, "variables": variables})
    return r.json()


async def test_a_statement_timeout_is_query_too_complex(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async for client in probe_client(settings, session_factory):
        body = await _post(client, "query { statementTimeout(ms: 100) }")
        after = await _post(client, FOLLOW, e="next-1@example.test")

    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["kind"] == "timeout"
    assert "statement" in error["message"]
    # the aborted transaction was rolled back: the next request runs SQL
    assert after["data"] == {"writeThenWait": True}


async def test_a_write_cut_by_a_statement_timeout_is_rolled_back(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    db: AsyncSession,
) -> None:
    email = "statement-timeout@example.test"
    async for client in probe_client(settings, session_factory):
        body = await _post(client, WRITE, e=email)
        again = await _post(client, FOLLOW, e="next-2@example.test")

    count = await db.scalar(select(func.count()).where(User.email == email))
    assert body["errors"][0]["extensions"]["kind"] == "timeout"
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert count == 0
    assert again["data"] == {"writeThenWait": True}


async def test_an_operation_timeout_is_query_too_complex(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    quick = settings.model_copy(update={"operation_timeout_seconds": 0.3})
    async for client in probe_client(quick, session_factory):
        body = await _post(client, "query { slow(seconds: 5) }")
        after = await _post(client, FOLLOW, e="next-3@example.test")

    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert body["errors"][0]["extensions"]["kind"] == "timeout"
    assert after["data"] == {"writeThenWait": True}
