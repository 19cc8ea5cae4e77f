"""Subscribers for scenario (e), run as a process of their own.

Opens CONNECTIONS WebSockets (graphql-transport-ws), each with PER_CONNECTION
``sessionStatusChanged`` subscriptions, prints "ready", then records the
arrival time of every event. When EXPECTED events have arrived, or none has
arrived for IDLE seconds, it prints one line per event:
``<session id> <unix time received>`` and exits.

The client is the measuring instrument, so it must not be the bottleneck: it
uses picows (WebSocket frames parsed in C, one callback per frame, no task per
message) and orjson, and it writes nothing while events arrive, so neither it
nor the benchmark process reading its output competes with the server for the
CPU during the burst.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

import orjson
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

QUERY = "subscription { sessionStatusChanged { status session { id } } }"


class Recorder:
    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.received: list[tuple[str, float]] = []
        self.last = time.monotonic()
        self.done = asyncio.Event()


class Subscriber(WSListener):
    def __init__(self, token: str, count: int, recorder: Recorder) -> None:
        self.token = token
        self.count = count
        self.recorder = recorder
        self.acked = asyncio.Event()

    def on_ws_connected(self, transport: WSTransport) -> None:
        init = {"type": "connection_init", "payload": {"authorization": self.token}}
        transport.send(WSMsgType.TEXT, orjson.dumps(init))

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        now = time.time()
        if frame.msg_type is not WSMsgType.TEXT:
            return
        msg = orjson.loads(frame.get_payload_as_bytes())
        kind = msg.get("type")
        if kind == "next":
            data = msg["payload"].get("data") or {}
            event = data.get("sessionStatusChanged")
            if event:
                rec = self.recorder
                rec.received.append((event["session"]["id"], now))
                rec.last = time.monotonic()
                if len(rec.received) >= rec.expected:
                    rec.done.set()
        elif kind == "connection_ack":
            for i in range(self.count):
                sub = {"id": str(i), "type": "subscribe", "payload": {"query": QUERY}}
                transport.send(WSMsgType.TEXT, orjson.dumps(sub))
            self.acked.set()
        elif kind == "ping":
            transport.send(WSMsgType.TEXT, b'{"type":"pong"}')


async def main() -> None:
    url, token = os.environ["WS_URL"], os.environ["TOKEN"]
    conns = int(os.environ.get("CONNECTIONS", "100"))
    per = int(os.environ.get("PER_CONNECTION", "10"))
    recorder = Recorder(int(os.environ.get("EXPECTED", "0")) or 2**62)
    idle = float(os.environ.get("IDLE", "30"))
    listeners: list[Subscriber] = []
    transports: list[WSTransport] = []
    for _ in range(conns):
        transport, listener = await ws_connect(
            lambda: Subscriber(f"Bearer {token}", per, recorder),
            url,
            extra_headers={"Sec-WebSocket-Protocol": "graphql-transport-ws"},
            websocket_handshake_timeout=60,
        )
        assert isinstance(listener, Subscriber)
        listeners.append(listener)
        transports.append(transport)
    await asyncio.gather(*(lst.acked.wait() for lst in listeners))
    # let the server finish registering the subscriptions
    await asyncio.sleep(2)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    recorder.last = time.monotonic()
    while not recorder.done.is_set():
        if time.monotonic() - recorder.last > idle:
            break
        try:
            await asyncio.wait_for(recorder.done.wait(), 1)
        except TimeoutError:
            pass
    sys.stdout.write("".join(f"{sid} {at:.6f}\n" for sid, at in recorder.received))
    sys.stdout.write("end\n")
    sys.stdout.flush()
    for transport in transports:
        transport.disconnect()


if __name__ == "__main__":
    asyncio.run(main())
