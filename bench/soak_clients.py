"""The soak's subscribers: graphql-transport-ws connections that reconnect
with each subscription's last cursor when the connection drops."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import websockets

DOC = """subscription($after: String) {
  sessionStatusChanged(after: $after) { status cursor session { id } } }"""


class SubscriptionClient:
    """One connection holding ``per_connection`` identical subscriptions of
    one therapist (index ``index``)."""

    def __init__(self, url: str, token: str, index: int, per_connection: int) -> None:
        self.url = url
        self.token = token
        self.index = index
        self.ops = [str(n) for n in range(per_connection)]
        # op -> session id -> statuses received
        self.received: dict[str, dict[str, list[str]]] = {op: {} for op in self.ops}
        self.cursors: dict[str, str | None] = dict.fromkeys(self.ops)
        self.reconnects = 0
        self.errors: list[Any] = []
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._ready.wait(), 60)

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        first = True
        while not self._stopping:
            try:
                await self._connection()
            except Exception as exc:  # any failure: reconnect with the cursors
                self.errors.append(repr(exc))
            if self._stopping:
                return
            if not first or self._ready.is_set():
                self.reconnects += 1
            first = False
            await asyncio.sleep(0.5)

    async def _connection(self) -> None:
        async with websockets.connect(
            self.url,
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            open_timeout=30,
        ) as ws:
            init = {"authorization": f"Bearer {self.token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            ack = json.loads(await ws.recv())
            if ack.get("type") != "connection_ack":
                raise websockets.WebSocketException(str(ack))
            for op in self.ops:
                payload = {"query": DOC, "variables": {"after": self.cursors[op]}}
                await ws.send(
                    json.dumps({"id": op, "type": "subscribe", "payload": payload})
                )
            self._ready.set()
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                    continue
                if message.get("type") != "next":
                    if message.get("type") in ("error", "complete"):
                        self.errors.append(message)
                        return  # resubscribe on a fresh connection
                    continue
                event = (message["payload"].get("data") or {}).get(
                    "sessionStatusChanged"
                )
                if not event:
                    self.errors.append(message["payload"])
                    continue
                op = message["id"]
                sid = event["session"]["id"]
                self.received[op].setdefault(sid, []).append(event["status"])
                self.cursors[op] = event["cursor"]

    def expected(self, sessions: dict[str, tuple[int, list[str]]]) -> int:
        mine = [order for i, order in sessions.values() if i == self.index]
        return sum(len(order) for order in mine) * len(self.ops)

    def delivered(self, sessions: dict[str, tuple[int, list[str]]]) -> int:
        total = 0
        for sid, (i, order) in sessions.items():
            if i != self.index:
                continue
            for op in self.ops:
                got = self.received[op].get(sid, [])
                # each status once, in order: anything else counts as missing
                total += len(order) if got == order else 0
        return total

    def complete(self, sessions: dict[str, tuple[int, list[str]]]) -> bool:
        return self.delivered(sessions) == self.expected(sessions)
