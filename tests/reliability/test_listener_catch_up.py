"""The status listener's catch-up: when its LISTEN connection is lost,
notifications sent meanwhile are gone; on reconnecting it hands out every
event committed after the last one it gave, in order, then live ones, and
nothing twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import create_sessionmaker, to_libpq_url
from db.enums import SessionStatus as S
from db.models import TherapySession
from db.queries.pipeline import lock_session
from db.runtime import migrate
from services.events import StatusBroker, StatusNotice
from services.status import transition
from tests.factories import create_patient, create_user
from tests.pg import PgServer


async def _next(queue: asyncio.Queue[StatusNotice]) -> StatusNotice:
    return await asyncio.wait_for(queue.get(), 20)


async def _move(factory: Any, session_id: uuid.UUID, target: S) -> int:
    async with factory() as db:
        row = await lock_session(db, session_id)
        assert row is not None
        event = await transition(db, row, target)
        await db.commit()
        return event.id


async def _new_session(factory: Any) -> uuid.UUID:
    async with factory() as db:
        therapist = await create_user(db)
        patient = await create_patient(db, therapist)
        ts = TherapySession(
            id=uuid.uuid4(),
            patient_id=patient.id,
            therapist_id=therapist.id,
            session_date=datetime.now(UTC),
            status=S.UPLOADING,
        )
        db.add(ts)
        await db.flush()
        await transition(db, ts, S.UPLOADING, new=True)
        await db.commit()
        return ts.id


async def test_a_reconnected_listener_hands_out_what_it_missed(pg: PgServer) -> None:
    url = pg.create_database("tb_listen")
    await asyncio.to_thread(migrate, url)
    engine = create_async_engine(url, poolclass=NullPool)
    factory = create_sessionmaker(engine)
    broker = StatusBroker()
    await broker.start(url)
    # the reconnect waits until the test lets it
    gate = asyncio.Event()
    connect = broker._connect

    async def gated() -> None:
        await gate.wait()
        await connect()

    broker._connect = gated  # type: ignore[method-assign]
    try:
        async with broker.subscribe() as queue:
            sid = await _new_session(factory)
            live = await _next(queue)

            # when the listener's connection is cut and two events commit
            # while it is away (their notifications reach nobody) ...
            with psycopg.connect(to_libpq_url(url), autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(%s)", (broker._conn.get_server_pid(),)
                )
            missed = [
                await _move(factory, sid, S.TRANSCRIBING),
                await _move(factory, sid, S.TRANSCRIBED),
            ]
            await asyncio.sleep(0.5)
            heard_while_away = not queue.empty()
            gate.set()
            caught = [await _next(queue), await _next(queue)]
            # ... and one more once it is back
            after = await _move(factory, sid, S.EXTRACTING_NOTES)
            later = await _next(queue)
            await asyncio.sleep(0.3)

        # then it came back and handed out each, once, in order
        assert live.session_id == sid
        assert not heard_while_away
        assert broker.reconnects == 1
        assert [n.event_id for n in caught] == missed
        assert later.event_id == after
        assert queue.empty()
    finally:
        await broker.stop()
        await engine.dispose()
