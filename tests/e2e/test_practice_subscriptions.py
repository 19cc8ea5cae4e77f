"""Subscriptions across practices, against a real server and real WebSocket
clients: nobody of practice B, in any role, receives a status change of
practice A's sessions, and subscribing to one of them by id is NOT_FOUND."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import create_sessionmaker
from db.enums import Role, SessionStatus
from resolvers.ids import encode_id
from settings import Settings
from tests.e2e.server import ServerProcess
from tests.e2e.test_shared_subscriptions import connect, move, until
from tests.factories import (
    create_patient,
    create_practice,
    create_session,
    create_user,
    token_for,
)

pytestmark = pytest.mark.e2e

BY_ID = "subscription($s: ID) { sessionStatusChanged(sessionId: $s) { status } }"


async def _world(database_url: str) -> tuple[str, str, dict[str, str]]:
    """A's therapist's token, A's scheduled session, and tokens of B's people."""
    settings = Settings(environment="test", database_url=database_url)
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with create_sessionmaker(engine)() as db:
            therapist_a = await create_user(db)
            patient_a = await create_patient(db, therapist_a)
            session_a = await create_session(
                db, patient_a, therapist_a, status=SessionStatus.SCHEDULED
            )
            b = await create_practice(db)
            admin = await create_user(db, b, role=Role.ADMIN)
            founder = await create_user(db, b, is_practice_admin=True)
            therapist = await create_user(db, b)
            patient_user = await create_user(db, b, role=Role.PATIENT)
            await create_patient(db, therapist, user_id=patient_user.id)
            await create_patient(db, founder)
            await db.commit()
            people = {"admin": admin, "founder": founder, "therapist": therapist}
            people["patient"] = patient_user
            return (
                token_for(settings, therapist_a),
                encode_id("TherapySession", session_a.id),
                {k: token_for(settings, u) for k, u in people.items()},
            )
    finally:
        await engine.dispose()


async def test_no_one_of_another_practice_receives_a_status_change(
    live_server: ServerProcess, e2e_database_url: str
) -> None:
    owner, session_id, probers = await _world(e2e_database_url)
    async with AsyncExitStack() as stack:
        mine = await stack.enter_async_context(
            connect(live_server, f"Bearer {owner}", "owner")
        )
        others = {
            who: await stack.enter_async_context(
                connect(live_server, f"Bearer {token}", who)
            )
            for who, token in probers.items()
        }
        await mine.subscribe("all")
        for conn in others.values():
            await conn.subscribe("all")
            payload = {"query": BY_ID, "variables": {"s": session_id}}
            message = {"id": "one", "type": "subscribe", "payload": payload}
            await conn.ws.send(json.dumps(message))
        await asyncio.sleep(0.5)

        await move(e2e_database_url, session_id, SessionStatus.UPLOADING)
        await until(lambda: bool(mine.nexts("all")))
        await asyncio.sleep(1.0)  # time for a wrongly delivered frame to arrive

        assert mine.nexts("all")[0]["data"]["sessionStatusChanged"]["status"] == (
            "UPLOADING"
        )
        for who, conn in others.items():
            assert conn.nexts("all") == [], who
            (answer,) = conn.nexts("one")
            assert answer["data"] is None, who
            assert [e["extensions"]["code"] for e in answer["errors"]] == [
                "NOT_FOUND"
            ], who
