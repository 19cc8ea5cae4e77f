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
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import create_engine, create_sessionmaker, to_libpq_url
from db.enums import SessionStatus as S
from db.models import TherapySession
from db.queries.pipeline import lock_session
from db.runtime import migrate
from services.events import StatusBroker, StatusNotice
from services.status import transition
from settings import Settings
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


@pytest.fixture(scope="module")
def listen_url(pg: PgServer) -> str:
    """A database of these tests' own: they commit, and cut connections."""
    url = pg.create_database("tb_listen")
    migrate(url)
    return url


async def test_a_reconnected_listener_hands_out_what_it_missed(
    listen_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = listen_url
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

    monkeypatch.setattr(broker, "_connect", gated)
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


def _cut_connections(url: str) -> None:
    """What a database restart does to a pool: every connection is gone."""
    with psycopg.connect(to_libpq_url(url), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


async def test_a_notice_is_loaded_again_when_the_pool_was_stale(
    listen_url: str,
) -> None:
    # given a notice, and the app's own engine with a connection in its pool
    settings = Settings(environment="test", database_url=listen_url)
    writer = create_async_engine(listen_url, poolclass=NullPool)
    sid = await _new_session(create_sessionmaker(writer))
    event_id = await _move(create_sessionmaker(writer), sid, S.TRANSCRIBING)
    await writer.dispose()
    notice = StatusNotice(sid, event_id)
    results: dict[str, Any] = {}
    for name in ("once", "patiently"):
        engine = create_engine(settings, listen_url)
        factory = create_sessionmaker(engine)
        async with factory() as db:
            await db.execute(text("SELECT 1"))
        # when the database drops every connection (a restart) right away
        _cut_connections(listen_url)
        broker = StatusBroker()
        try:
            if name == "once":
                await broker.resolve(notice, factory)
            else:
                results[name] = await broker.resolve_patiently(notice, factory)
        except Exception as exc:
            results[name] = exc
        finally:
            await engine.dispose()

    # then one attempt meets the stale connection; the patient load succeeds
    assert isinstance(results["once"], Exception)
    found = results["patiently"]
    assert not isinstance(found, Exception), found
    assert found.event.id == event_id
