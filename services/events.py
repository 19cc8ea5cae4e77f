"""Status-change fan-out: ONE asyncpg LISTEN connection per server process.

Every transition NOTIFYs ``session_status`` with ``<session id>:<event id>``
(IDs only), from whichever process or machine made it. The broker hands each
notification to every local subscriber's queue; subscribers filter and re-read
the event from the database under their own caller's scoping.

Events commit in the order of their ids (``STATUS_ORDER_LOCK``), so the broker
hands them out in increasing id order. When the LISTEN connection is lost (a
database restart), notifications sent meanwhile are gone; on reconnecting the
broker reads every event after the last one it handed out and hands those out
first, then what arrived live meanwhile, skipping what it already gave.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import to_libpq_url
from db.errors import is_unavailable
from db.models import SessionStatusEvent, TherapySession, User
from db.queries.alerts import ALERT_CHANNEL
from db.queries.pipeline import (
    LISTENER_EVENTS_AFTER_SQL,
    LISTENER_LAST_EVENT_SQL,
    STATUS_CHANNEL,
    event_with_readers,
    status_events_after,
)
from db.queries.scoping import may_read_patient
from db.queries.users import get_user
from services.errors import Forbidden, ServiceUnavailable, Unauthenticated
from services.tokens import decode_access_token
from settings import Settings

log = logging.getLogger("therapybridge.events")
QUEUE_SIZE = 1000
RESOLVED_CACHE = 1024
CONNECT_TIMEOUT = 5.0
# how often an idle listener checks that its connection still answers
PROBE_SECONDS = 15.0
CATCH_UP_BATCH = 1000
RESOLVE_PATIENCE = 30.0


@dataclass(frozen=True)
class StatusNotice:
    session_id: uuid.UUID
    event_id: int


@dataclass(frozen=True)
class ResolvedNotice:
    """A notice read from the database once per process, shared by every
    subscriber: the event, its session, and who may read the patient."""

    event: SessionStatusEvent
    session: TherapySession
    therapist_ids: frozenset[uuid.UUID]
    linked_user_id: uuid.UUID | None
    practice_id: uuid.UUID | None = None

    def readable_by(self, user: User | None) -> bool:
        if self.practice_id is None:
            return False  # the patient is gone: nobody reads the event
        return may_read_patient(
            user, self.therapist_ids, self.linked_user_id, self.practice_id
        )


def parse_notice(payload: str) -> StatusNotice | None:
    try:
        session_id, event_id = payload.split(":", 1)
        return StatusNotice(uuid.UUID(session_id), int(event_id))
    except ValueError:
        return None


class StatusBroker:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[StatusNotice]] = set()
        # risk alerts ride the same connection: NOTIFY risk_alert <alert id>
        self._alert_subscribers: set[asyncio.Queue[uuid.UUID]] = set()
        self._dsn: str | None = None
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        # the highest event id handed out; None before the first connection
        self.last_event_id: int | None = None
        # live notices held while catching up after a reconnect
        self._held: list[StatusNotice] | None = None
        self.reconnects = 0
        # event id -> the one load of it that every subscriber awaits
        self._resolved: OrderedDict[int, asyncio.Task[ResolvedNotice | None]] = (
            OrderedDict()
        )

    @property
    def running(self) -> bool:
        return self._task is not None

    async def start(self, database_url: str) -> None:
        """Open the LISTEN connection and keep it open (reconnecting)."""
        if self._task is not None:
            return
        self._dsn = to_libpq_url(database_url)
        await self._connect()
        self._task = asyncio.create_task(self._keep_alive())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close()

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._lost.is_set()

    async def _connect(self) -> None:
        self._lost.clear()
        conn = await asyncpg.connect(
            self._dsn,
            timeout=CONNECT_TIMEOUT,
            server_settings={"application_name": "therapybridge-events"},
        )
        self._conn = conn
        conn.add_termination_listener(lambda _conn: self._lost.set())
        self._held = []
        try:
            await conn.add_listener(STATUS_CHANNEL, self._on_notify)
            await conn.add_listener(ALERT_CHANNEL, self._on_alert)
            if self.last_event_id is None:
                self.last_event_id = int(await conn.fetchval(LISTENER_LAST_EVENT_SQL))
            else:
                await self._catch_up(conn)
        except BaseException:
            self._held = None
            await self._close()
            raise
        held, self._held = self._held, None
        for notice in held:
            self._dispatch(notice)

    async def _catch_up(self, conn: Any) -> None:
        """Hand out the events committed while the listener was away."""
        while True:
            rows = await conn.fetch(
                LISTENER_EVENTS_AFTER_SQL, self.last_event_id, CATCH_UP_BATCH
            )
            for session_id, event_id in rows:
                self._dispatch(StatusNotice(session_id, int(event_id)))
            if len(rows) < CATCH_UP_BATCH:
                return

    async def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close(timeout=2)
            self._conn = None

    async def _alive(self) -> bool:
        try:
            await self._conn.fetchval("SELECT 1", timeout=CONNECT_TIMEOUT)
            return True
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            return False

    async def _keep_alive(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._lost.wait(), PROBE_SECONDS)
            except TimeoutError:
                # a connection can die without a word (a network partition)
                if await self._alive():
                    continue
            log.warning("status listener lost its connection; reconnecting")
            await self._close()
            delay = 0.25
            while True:
                try:
                    await self._connect()
                    self.reconnects += 1
                    log.warning("status listener reconnected")
                    break
                except (
                    OSError,
                    asyncpg.PostgresError,
                    asyncpg.InterfaceError,
                    TimeoutError,
                ):
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 2.0)

    def _on_notify(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        notice = parse_notice(payload)
        if notice is None:
            return
        if self._held is not None:
            self._held.append(notice)
            return
        self._dispatch(notice)

    def _dispatch(self, notice: StatusNotice) -> None:
        if self.last_event_id is not None and notice.event_id <= self.last_event_id:
            return  # handed out already (by the catch-up, or live)
        self.last_event_id = notice.event_id
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(notice)
            except asyncio.QueueFull:
                log.warning("a status subscriber is too slow; notice dropped")

    def _on_alert(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        try:
            alert_id = uuid.UUID(payload)
        except ValueError:
            return
        for queue in list(self._alert_subscribers):
            try:
                queue.put_nowait(alert_id)
            except asyncio.QueueFull:
                log.warning("a risk-alert subscriber is too slow; notice dropped")

    @contextlib.asynccontextmanager
    async def subscribe_alerts(self) -> AsyncIterator[asyncio.Queue[uuid.UUID]]:
        """A queue receiving the id of every risk alert raised while it runs."""
        queue: asyncio.Queue[uuid.UUID] = asyncio.Queue(QUEUE_SIZE)
        self._alert_subscribers.add(queue)
        try:
            yield queue
        finally:
            self._alert_subscribers.discard(queue)

    async def resolve(
        self,
        notice: StatusNotice,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> ResolvedNotice | None:
        """The notice's event, session and readers, loaded once per process
        however many subscribers ask (1,000 subscribers cost two statements)."""
        task = self._resolved.get(notice.event_id)
        if task is None:
            task = asyncio.ensure_future(_load_notice(session_factory, notice))
            self._resolved[notice.event_id] = task
            while len(self._resolved) > RESOLVED_CACHE:
                self._resolved.popitem(last=False)
        try:
            # one subscriber going away must not cancel the load for the others
            return await asyncio.shield(task)
        except Exception:
            # a failed load is not kept: the next subscriber asks again
            if self._resolved.get(notice.event_id) is task:
                del self._resolved[notice.event_id]
            raise

    async def resolve_patiently(
        self,
        notice: StatusNotice,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> ResolvedNotice | None:
        """``resolve``, retried while the database is unreachable: right
        after a database restart the pool's first connections are stale, and
        a subscription must not die of that. Gives up (ServiceUnavailable:
        the client resubscribes with its cursor) after RESOLVE_PATIENCE s."""
        deadline = asyncio.get_running_loop().time() + RESOLVE_PATIENCE
        delay = 0.1
        while True:
            try:
                return await self.resolve(notice, session_factory)
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                if asyncio.get_running_loop().time() + delay > deadline:
                    raise ServiceUnavailable() from None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[StatusNotice]]:
        """A queue receiving every status notice while the block runs."""
        queue: asyncio.Queue[StatusNotice] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)


async def _load_notice(
    session_factory: async_sessionmaker[AsyncSession], notice: StatusNotice
) -> ResolvedNotice | None:
    async with session_factory() as db:
        found = await event_with_readers(db, notice.event_id)
    if found is None:
        return None
    event, ts, therapists, linked, practice = found
    return ResolvedNotice(event, ts, frozenset(therapists), linked, practice)


REPLAY_PAGE = 200


async def replay(
    session_factory: async_sessionmaker[AsyncSession],
    user: User,
    after_id: int,
    session_id: uuid.UUID | None,
) -> AsyncIterator[tuple[SessionStatusEvent, TherapySession]]:
    """The stored events after ``after_id`` that ``user`` may read now, oldest
    first, a page per short transaction (a long replay holds no connection
    while the client reads)."""
    while True:
        async with session_factory() as db:
            page = await status_events_after(
                db, user, after_id, session_id, REPLAY_PAGE
            )
        for event, ts in page:
            yield event, ts
        if len(page) < REPLAY_PAGE:
            return
        after_id = page[-1][0].id


# one per process, started and stopped by the app lifespan
broker = StatusBroker()


async def authenticate_subscriber(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    token: str | None,
) -> User:
    """The user a WebSocket's connection_init token names: UNAUTHENTICATED for
    a missing or invalid token, FORBIDDEN for a deactivated account."""
    if not token:
        raise Unauthenticated()
    claims = decode_access_token(settings, token)
    async with session_factory() as db:
        user = await get_user(db, claims.user_id)
    if user is None:
        raise Unauthenticated("Invalid or expired token")
    if not user.is_active:
        raise Forbidden("Account deactivated")
    return user
