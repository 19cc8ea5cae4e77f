"""Identical subscriptions share one execution, and one writer per connection.

A frontend often holds the same subscription open many times: one per tab,
per component, per device. Before this, every subscription executed every
event on its own (about 0.8 ms of GraphQL execution each), so one status change
to 1,000 subscriptions of one therapist cost 0.8 s and a burst queued for
minutes.

Now the WebSocket subscriptions of one user with the same document, variables
and operation name form a group. ONE strawberry subscription (the group's
leader, with a context of its own) executes each event once; its result is
serialised to JSON once; and each member connection's writer task sends the
frame to that connection's subscriptions. The result is the same for every
member because the only input that differs between members is the connection,
and nothing in a subscription's result depends on it. Scoping is untouched:
the group's user is every member's user, and the resolver checks each event
against that user (``ResolvedNotice.readable_by``).

A slow connection only holds up itself: its writer has a bounded queue, and a
full queue drops that connection's frames (logged), never the group's.

Audit: every member connection still gets its own READ rows, with its own
request id and IP, so the trail tells deliveries to two devices apart.

Which subscriptions share, and under what key, is schema/fanout_keys.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import orjson
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types import ExecutionResult

from resolvers.context import Context
from schema.fanout_keys import GroupKey, current_operation, next_payload
from services.audit import AuditRecord, batcher

log = logging.getLogger("therapybridge.fanout")
WRITER_QUEUE = 1000


@runtime_checkable
class SendsFrames(Protocol):
    """What the writer needs of the connection's websocket adapter: the view's
    (schema/view.py, ``GuardedWebSocketAdapter``, which imports this module)."""

    def frame_sender(self) -> Callable[[str], Awaitable[None]]: ...


class ConnectionWriter:
    """Sends the shared results to one connection's subscriptions, in order,
    from a task of its own, so a connection that reads slowly (the transport
    paused) holds up nobody else."""

    def __init__(self, handler: SharingTransportWSHandler) -> None:
        self.handler = handler
        self.queue: asyncio.Queue[Any] = asyncio.Queue(WRITER_QUEUE)
        self.task = asyncio.create_task(self._run())

    def put(self, operations: list[Operation[Any, Any]], payload: bytes) -> None:
        """One result for this connection's subscriptions among ``operations``."""
        try:
            self.queue.put_nowait((operations, payload))
        except asyncio.QueueFull:
            log.warning("a subscriber connection is too slow; an event was dropped")

    async def flush(self) -> None:
        """Return once everything queued before this call was sent (or the
        connection is gone)."""
        if self.task.done():
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self.queue.put(done)
        await done

    async def _run(self) -> None:
        try:
            await self._send_all()
        finally:
            # nobody may wait forever on a writer that stopped
            while not self.queue.empty():
                item = self.queue.get_nowait()
                if isinstance(item, asyncio.Future) and not item.done():
                    item.set_result(None)

    async def _send_all(self) -> None:
        operations = self.handler.operations
        websocket = self.handler.websocket
        if not isinstance(websocket, SendsFrames):
            raise TypeError(f"{type(websocket).__name__} cannot send frames")
        send = websocket.frame_sender()
        # '{"id":<id>,"type":"next","payload":' per subscription, built once
        prefixes: dict[str, str] = {}
        while True:
            item = await self.queue.get()
            if isinstance(item, asyncio.Future):
                if not item.done():
                    item.set_result(None)
                continue
            targets: list[Operation[Any, Any]] = item[0]
            payload: str = item[1].decode()
            for operation in targets:
                # a subscription the client completed meanwhile gets nothing more
                if operation.completed or operations.get(operation.id) is not operation:
                    continue
                prefix = prefixes.get(operation.id)
                if prefix is None:
                    if len(prefixes) > 256:  # ids come and go on a long connection
                        prefixes.clear()
                    prefix = '{"id":%s,"type":"next","payload":' % (  # noqa: UP031
                        orjson.dumps(operation.id).decode()
                    )
                    prefixes[operation.id] = prefix
                try:
                    await send(prefix + payload + "}")
                except Exception:
                    return  # the connection is gone; its handler cleans up

    def close(self) -> None:
        self.task.cancel()


class SharingTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """graphql-transport-ws, with identical subscriptions shared (see module)."""

    writer: ConnectionWriter | None = None

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        # read by group_key() (schema/fanout_keys.py) and join(), in this task only
        current_operation.set(operation)
        await super().run_operation(operation)

    def connection_writer(self) -> ConnectionWriter:
        if self.writer is None:
            self.writer = ConnectionWriter(self)
        return self.writer

    async def shutdown(self) -> None:
        await super().shutdown()
        if self.writer is not None:
            self.writer.close()


_END = object()


@dataclass(eq=False)
class _Member:
    ctx: Context
    operation: Operation[Any, Any]
    writer: ConnectionWriter
    # what strawberry must handle itself: a pre-execution error, the end, a failure
    control: asyncio.Queue[Any]


class _Group:
    def __init__(self, key: GroupKey, leader_ctx: Context) -> None:
        self.key = key
        self.ctx = leader_ctx
        self.members: set[_Member] = set()
        # (request id, IP) of the member connections, with how many members
        # each has: the audit's per-connection rows without a walk per event
        self.connections: dict[tuple[str | None, str | None], int] = {}
        self.task: asyncio.Task[None] | None = None

    def add(self, member: _Member) -> None:
        self.members.add(member)
        key = (member.ctx.request_id or None, member.ctx.client_ip)
        self.connections[key] = self.connections.get(key, 0) + 1

    def discard(self, member: _Member) -> None:
        if member not in self.members:
            return
        self.members.discard(member)
        key = (member.ctx.request_id or None, member.ctx.client_ip)
        left = self.connections.get(key, 0) - 1
        if left > 0:
            self.connections[key] = left
        else:
            self.connections.pop(key, None)

    def publish(self, result: Any) -> None:
        if isinstance(result, ExecutionResult):
            payload = next_payload(result)
            by_connection: dict[ConnectionWriter, list[Operation[Any, Any]]] = {}
            for member in self.members:
                by_connection.setdefault(member.writer, []).append(member.operation)
            for writer, operations in by_connection.items():
                writer.put(operations, payload)
        else:
            self.control(result)

    def control(self, item: Any) -> None:
        for member in self.members:
            member.control.put_nowait(item)

    def audit(self, events: list[AuditRecord]) -> None:
        """The deliveries' READ rows: one copy per member connection, each with
        that connection's request id and IP, so the trail tells deliveries to
        two devices apart. Several identical subscriptions on one connection
        disclose the same thing to the same socket: one row each event."""
        if not events:
            return
        rows = [
            event.delivered(rid, ip) for rid, ip in self.connections for event in events
        ]
        batcher.add(self.ctx.session_factory, rows)

    async def pump(
        self, source: AsyncIterator[Any], done: Callable[[_Group], None]
    ) -> None:
        try:
            async for result in source:
                # the READ rows this execution buffered belong to this delivery
                events, self.ctx.audit_events = self.ctx.audit_events, []
                self.audit(events)
                self.publish(result)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # each member re-raises it in its own task
            self.control(exc)
        finally:
            with contextlib.suppress(Exception):
                aclose = getattr(source, "aclose", None)
                if aclose is not None:
                    await aclose()
            await self.ctx.close()
            # no member may join a group whose subscription has ended
            done(self)
        self.control(_END)


class SharedSubscriptions:
    """The groups of one process."""

    def __init__(self) -> None:
        self._groups: dict[GroupKey, _Group] = {}

    @property
    def group_count(self) -> int:
        return len(self._groups)

    async def join(
        self,
        key: GroupKey,
        ctx: Any,
        start: Callable[[Context], Awaitable[AsyncIterator[Any]]],
    ) -> AsyncGenerator[Any, None]:
        """The result stream strawberry's operation task iterates for one
        member. Results go out through the connection's writer; the stream
        itself yields only what strawberry must handle (a pre-execution error),
        and ends when the group's subscription ends."""
        operation = current_operation.get()
        # group_key() made sure of both
        assert isinstance(ctx, Context)
        assert operation is not None
        handler = operation.handler
        assert isinstance(handler, SharingTransportWSHandler)
        group = self._groups.get(key)
        if group is None:
            group = _Group(key, _leader_context(ctx))
            self._groups[key] = group
            try:
                source = await start(group.ctx)
            except BaseException:
                self._forget(group)
                raise
            group.task = asyncio.create_task(group.pump(source, self._forget))
        member = _Member(ctx, operation, handler.connection_writer(), asyncio.Queue())
        group.add(member)
        return self._member_stream(group, member)

    def _forget(self, group: _Group) -> None:
        if self._groups.get(group.key) is group:
            del self._groups[group.key]

    async def _member_stream(
        self, group: _Group, member: _Member
    ) -> AsyncGenerator[Any, None]:
        try:
            while True:
                item = await member.control.get()
                if item is _END:
                    # "complete" must not overtake the results still queued
                    await member.writer.flush()
                    return
                if isinstance(item, Exception):
                    await member.writer.flush()
                    raise item
                yield item
        finally:
            group.discard(member)
            if not group.members:
                # the last member left: stop the group's subscription
                self._forget(group)
                if group.task is not None:
                    group.task.cancel()


def _leader_context(ctx: Context) -> Context:
    """A context of the group's own: the first member's connection may close
    while the others stay, and members must not share per-request state."""
    return Context(
        request=ctx.request,
        response=ctx.response,
        settings=ctx.settings,
        session_factory=ctx.session_factory,
        request_id=ctx.request_id,
        user=ctx.user,
        connection_params=ctx.connection_params,
    )


shared = SharedSubscriptions()
