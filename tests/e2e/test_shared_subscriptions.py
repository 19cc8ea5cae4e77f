"""Identical subscriptions share one execution (schema/fanout.py), against a
real server: every subscription still gets its own frames under its own id,
completing one leaves the others running, another therapist's identical
subscription gets nothing, errors reach every subscriber, and the audit trail
keeps one row per connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import pytest
import websockets
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import create_sessionmaker, to_libpq_url
from db.enums import SessionStatus
from db.queries.pipeline import lock_session
from resolvers.ids import decode_id
from services.status import transition
from tests.e2e.pipeline_helpers import make_account, query
from tests.e2e.server import ServerProcess

pytestmark = pytest.mark.e2e

DOC = "subscription { sessionStatusChanged { status session { id status } } }"
SCHEDULE = """
mutation S($input: ScheduleSessionInput!) { scheduleSession(input: $input) { id } }
"""


class Connection:
    """One graphql-transport-ws connection holding several subscriptions."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.messages: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            self.messages.append(json.loads(raw))

    async def subscribe(self, op_id: str, doc: str = DOC) -> None:
        message = {"id": op_id, "type": "subscribe", "payload": {"query": doc}}
        await self.ws.send(json.dumps(message))

    async def complete(self, op_id: str) -> None:
        await self.ws.send(json.dumps({"id": op_id, "type": "complete"}))

    def nexts(self, op_id: str) -> list[dict[str, Any]]:
        return [
            m["payload"]
            for m in self.messages
            if m.get("id") == op_id and m["type"] == "next"
        ]

    def of_type(self, op_id: str, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("id") == op_id and m["type"] == kind]


@asynccontextmanager
async def connect(
    server: ServerProcess, token: str, request_id: str
) -> AsyncIterator[Connection]:
    url = server.url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(
        url,
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        additional_headers={"x-request-id": request_id},
    ) as ws:
        init = {"type": "connection_init", "payload": {"authorization": token}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        conn = Connection(ws)
        try:
            yield conn
        finally:
            conn._reader.cancel()


async def until(check: Any, within: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def move(database_url: str, session_id: str, target: SessionStatus) -> None:
    """A status change committed by another process, as a worker makes it."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with create_sessionmaker(engine)() as db:
            sid = decode_id(session_id, "TherapySession", "id")
            row = await lock_session(db, sid)
            assert row is not None
            await transition(db, row, target)
            await db.commit()
    finally:
        await engine.dispose()


async def scheduled_session(server: ServerProcess, token: str, patient: str) -> str:
    body = await query(
        server.url,
        token,
        SCHEDULE,
        input={"patientId": patient, "sessionDate": "2026-12-01T10:00:00Z"},
    )
    session_id: str = body["data"]["scheduleSession"]["id"]
    return session_id


def _read_audits(database_url: str, session_id: str) -> list[tuple[Any, ...]]:
    sid = decode_id(session_id, "TherapySession", "id")
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        return conn.execute(
            "SELECT request_id, fields FROM audit_events WHERE action = 'READ'"
            " AND entity_type = 'TherapySession' AND entity_id = %s",
            (sid,),
        ).fetchall()


async def test_identical_subscriptions_each_get_their_own_frames(
    live_server: ServerProcess, e2e_database_url: str
) -> None:
    server = live_server
    account = await make_account(e2e_database_url)
    bearer, other = f"Bearer {account.token}", f"Bearer {account.other_token}"
    session_id = await scheduled_session(server, account.token, account.patient_id)
    async with (
        connect(server, bearer, "conn-a") as a,
        connect(server, bearer, "conn-b") as b,
        connect(server, other, "conn-c") as outsider,
    ):
        await a.subscribe("a1")
        await a.subscribe("a2")
        await b.subscribe("b1")
        await outsider.subscribe("c1")
        await asyncio.sleep(0.5)

        await move(e2e_database_url, session_id, SessionStatus.UPLOADING)
        await until(lambda: a.nexts("a1") and a.nexts("a2") and b.nexts("b1"))
        expected = {
            "sessionStatusChanged": {
                "status": "UPLOADING",
                "session": {"id": session_id, "status": "UPLOADING"},
            }
        }
        for payloads in (a.nexts("a1"), a.nexts("a2"), b.nexts("b1")):
            assert [p["data"] for p in payloads] == [expected]

        # completing one subscription leaves its twins running
        await a.complete("a1")
        await asyncio.sleep(0.3)
        await move(e2e_database_url, session_id, SessionStatus.TRANSCRIBING)
        await until(lambda: len(a.nexts("a2")) == 2 and len(b.nexts("b1")) == 2)
        await asyncio.sleep(0.5)
        assert len(a.nexts("a1")) == 1
        assert [n["data"]["sessionStatusChanged"]["status"] for n in b.nexts("b1")] == [
            "UPLOADING",
            "TRANSCRIBING",
        ]
        # the other therapist's identical subscription saw nothing at all
        assert outsider.messages == []

        # every subscription gone, then a new one: a fresh group, still delivered
        await a.complete("a2")
        await b.complete("b1")
        await asyncio.sleep(0.3)
        await b.subscribe("b2")
        await asyncio.sleep(0.5)
        await move(e2e_database_url, session_id, SessionStatus.FAILED)
        await until(lambda: bool(b.nexts("b2")))
        assert b.nexts("b2")[0]["data"]["sessionStatusChanged"]["status"] == "FAILED"
        assert outsider.messages == []

    # one READ row per connection and delivery (a's two twins count once), each
    # with its own connection's request id; the batch is written within 0.2 s
    await asyncio.sleep(1.5)
    rows = await asyncio.to_thread(_read_audits, e2e_database_url, session_id)
    by_request: dict[str, int] = {}
    for request_id, fields in rows:
        assert fields == ["status"]
        by_request[request_id] = by_request.get(request_id, 0) + 1
    assert by_request == {"conn-a": 2, "conn-b": 3}


async def test_an_invalid_shared_subscription_errors_for_every_subscriber(
    live_server: ServerProcess, e2e_database_url: str
) -> None:
    server = live_server
    account = await make_account(e2e_database_url)
    bearer = f"Bearer {account.token}"
    bad = "subscription { sessionStatusChanged { noSuchField } }"
    async with (
        connect(server, bearer, "conn-a") as a,
        connect(server, bearer, "conn-b") as b,
    ):
        await a.subscribe("x", bad)
        await b.subscribe("y", bad)
        # the guard validates (cached) inside execution, so strawberry reports
        # the error as a `next` carrying errors, then `complete`
        await until(lambda: a.of_type("x", "complete") and b.of_type("y", "complete"))
        for conn, op_id in ((a, "x"), (b, "y")):
            (payload,) = conn.nexts(op_id)
            assert payload["data"] is None
            (error,) = payload["errors"]
            assert "noSuchField" in error["message"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
        # the connections stay usable: a valid subscription still works
        session_id = await scheduled_session(server, account.token, account.patient_id)
        await a.subscribe("ok")
        await asyncio.sleep(0.5)
        await move(e2e_database_url, session_id, SessionStatus.UPLOADING)
        await until(lambda: bool(a.nexts("ok")))


async def test_a_subscription_for_one_session_only_shares_with_the_same_session(
    live_server: ServerProcess, e2e_database_url: str
) -> None:
    server = live_server
    account = await make_account(e2e_database_url)
    bearer = f"Bearer {account.token}"
    first = await scheduled_session(server, account.token, account.patient_id)
    second = await scheduled_session(server, account.token, account.patient_id)
    doc = (
        "subscription S($id: ID) { sessionStatusChanged(sessionId: $id)"
        " { status session { id } } }"
    )
    async with connect(server, bearer, "conn-a") as a:
        for op_id, sid in (("one", first), ("two", second)):
            message = {
                "id": op_id,
                "type": "subscribe",
                "payload": {"query": doc, "variables": {"id": sid}},
            }
            await a.ws.send(json.dumps(message))
        await asyncio.sleep(0.5)
        await move(e2e_database_url, second, SessionStatus.UPLOADING)
        await until(lambda: bool(a.nexts("two")))
        await asyncio.sleep(0.5)
        assert a.nexts("one") == []
        session = a.nexts("two")[0]["data"]["sessionStatusChanged"]["session"]
        assert session == {"id": second}
