"""Replayable subscriptions against a real server through a real
graphql-transport-ws client (``websockets``): a client that was away
reconnects with its last cursor and receives exactly what it missed, in
order, then live events, with nothing twice; another therapist's events are
never replayed to them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from db.enums import SessionStatus
from resolvers.ids import decode_event_cursor
from tests.e2e.pipeline_helpers import make_account
from tests.e2e.server import ServerProcess
from tests.e2e.test_shared_subscriptions import move, scheduled_session

pytestmark = pytest.mark.e2e

DOC = """
subscription Changes($after: String) {
  sessionStatusChanged(after: $after) { status previousStatus cursor session { id } }
}
"""


class Client:
    """One graphql-transport-ws connection with one subscription."""

    def __init__(self, server: ServerProcess, token: str) -> None:
        self.url = server.url.replace("http://", "ws://") + "/graphql"
        self.token = token
        self.events: list[dict[str, Any]] = []
        self.others: list[dict[str, Any]] = []
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None

    async def open(self, after: str | None = None) -> Client:
        self._ws = await websockets.connect(
            self.url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
        )
        init = {
            "type": "connection_init",
            "payload": {"authorization": f"Bearer {self.token}"},
        }
        await self._ws.send(json.dumps(init))
        assert json.loads(await self._ws.recv())["type"] == "connection_ack"
        payload = {"query": DOC, "variables": {"after": after}}
        await self._ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": payload})
        )
        self._reader = asyncio.create_task(self._read())
        # give the server a moment to register the subscription
        await asyncio.sleep(1.0)
        return self

    async def _read(self) -> None:
        async for raw in self._ws:
            message = json.loads(raw)
            if message["type"] == "next":
                self.events.append(message["payload"]["data"]["sessionStatusChanged"])
            else:
                self.others.append(message)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self._ws.close()

    def statuses(self) -> list[str]:
        return [e["status"] for e in self.events]


async def until(check: Any, within: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_reconnecting_client_gets_exactly_what_it_missed(
    live_server: ServerProcess, e2e_database_url: str
) -> None:
    # given a subscriber that saw a session being scheduled, then went away
    account = await make_account(e2e_database_url)
    first = await Client(live_server, account.token).open()
    session_id = await scheduled_session(live_server, account.token, account.patient_id)
    await until(lambda: first.statuses() == ["SCHEDULED"])
    cursor = first.events[-1]["cursor"]
    await first.close()

    # when three status changes happen while it is disconnected
    for target in (
        SessionStatus.UPLOADING,
        SessionStatus.TRANSCRIBING,
        SessionStatus.TRANSCRIBED,
    ):
        await move(e2e_database_url, session_id, target)

    # and it reconnects with its last cursor (another therapist too)
    again = await Client(live_server, account.token).open(after=cursor)
    outsider = await Client(live_server, account.other_token).open(after=cursor)
    await until(lambda: len(again.events) >= 3)
    # then a live change follows the replay
    await move(e2e_database_url, session_id, SessionStatus.FAILED)
    await until(lambda: len(again.events) >= 4)
    await asyncio.sleep(0.5)  # room for a duplicate to show up

    # then it received exactly the three, in order, then the live one, once
    assert again.statuses() == ["UPLOADING", "TRANSCRIBING", "TRANSCRIBED", "FAILED"]
    assert [e["previousStatus"] for e in again.events[:3]] == [
        "SCHEDULED",
        "UPLOADING",
        "TRANSCRIBING",
    ]
    assert {e["session"]["id"] for e in again.events} == {session_id}
    cursors = [cursor] + [e["cursor"] for e in again.events]
    ids = [decode_event_cursor(c) for c in cursors]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert cursors == sorted(cursors)  # also increasing as strings
    # and the other therapist was replayed nothing and sent nothing live
    assert outsider.events == []
    assert [m for m in outsider.others if m["type"] == "error"] == []
    await again.close()
    await outsider.close()
