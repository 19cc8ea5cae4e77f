"""What PostgreSQL receives around a request: a query the guard has seen runs
without BEGIN/COMMIT (its audit INSERT commits on its own); a mutation always
runs in one transaction; the pool pings only connections that sat idle.

These tests use a real engine (not the per-test transaction), so what they
create is committed: they run on a database of their own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

import db.engine
from app import create_app
from db.engine import create_engine, create_sessionmaker, to_libpq_url
from db.models import AuditEvent
from db.runtime import migrate
from resolvers.ids import encode_id
from settings import Settings
from tests.factories import create_patient, create_user, token_for
from tests.pg import PgServer


def _began(seen: list[str]) -> bool:
    return any(q.startswith("BEGIN") for q in seen)


async def _logged() -> None:
    """asyncpg calls query loggers soon after the query, not during it."""
    await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
def own_database_url(pg: PgServer) -> str:
    url = pg.create_database()
    migrate(url)
    return url


@pytest.fixture
async def real_engine(
    settings: Settings, own_database_url: str
) -> AsyncIterator[tuple[AsyncEngine, list[str]]]:
    engine = create_engine(settings, own_database_url)
    seen: list[str] = []

    def log_queries(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(
            lambda q: seen.append(q.query.strip().upper())
        )

    event.listen(engine.sync_engine, "connect", log_queries)
    yield engine, seen
    await engine.dispose()


async def test_a_known_query_runs_without_a_transaction_a_mutation_in_one(
    settings: Settings, real_engine: tuple[AsyncEngine, list[str]]
) -> None:
    engine, seen = real_engine
    factory = create_sessionmaker(engine)
    async with factory() as s:
        therapist = await create_user(s)
        patient = await create_patient(s, therapist)
        await s.commit()
    app = create_app(settings, session_factory=factory)
    headers = {"authorization": f"Bearer {token_for(settings, therapist)}"}
    query = {
        # a text no other test sends, so the guard has not seen it yet
        "query": f"query($id: ID!) {{ patient(id: $id) {{ name }} }} # {uuid.uuid4()}",
        "variables": {"id": encode_id("Patient", patient.id)},
    }
    mutation: dict[str, Any] = {
        "query": "mutation($i: CreatePatientInput!) { createPatient(input: $i) "
        "{ id } }",
        "variables": {
            "i": {"name": "Tx Test", "email": f"tx-{uuid.uuid4().hex}@example.com"}
        },
    }

    async def audit_rows() -> int:
        async with factory() as s:
            stmt = select(func.count()).where(AuditEvent.patient_id == patient.id)
            return int(await s.scalar(stmt) or 0)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        first = await c.post("/graphql", json=query, headers=headers)
        assert first.json()["data"]["patient"]["name"] == patient.name
        await _logged()
        assert _began(seen)  # not yet known to the guard: a transaction

        before = await audit_rows()
        seen.clear()
        again = await c.post("/graphql", json=query, headers=headers)
        assert again.json()["data"]["patient"]["name"] == patient.name
        await _logged()
        assert not _began(seen)
        assert "COMMIT;" not in seen
        # and its audit row is written all the same
        assert await audit_rows() == before + 1

        for _ in range(2):
            seen.clear()
            created = await c.post("/graphql", json=mutation, headers=headers)
            assert created.json()["data"]["createPatient"]["id"]
            await _logged()
            assert _began(seen)
            assert "COMMIT;" in seen
            mutation["variables"]["i"]["email"] = f"tx-{uuid.uuid4().hex}@example.com"


async def test_a_connection_that_died_while_idle_is_replaced(
    settings: Settings,
    own_database_url: str,
    real_engine: tuple[AsyncEngine, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, seen = real_engine
    async with engine.connect() as conn:
        first = await conn.scalar(text("SELECT pg_backend_pid()"))
    # used within the last second: handed out without a ping
    seen.clear()
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT pg_backend_pid()")) == first
    await _logged()
    assert ";" not in seen  # the ping's empty statement

    killer = await asyncpg.connect(to_libpq_url(own_database_url))
    try:
        assert await killer.fetchval("SELECT pg_terminate_backend($1)", first)
    finally:
        await killer.close()
    # idle past the window (made zero here): pinged, found dead, replaced
    monkeypatch.setattr(db.engine, "PING_AFTER_IDLE_SECONDS", 0.0)
    async with engine.connect() as conn:
        second = await conn.scalar(text("SELECT pg_backend_pid()"))
    assert second != first
