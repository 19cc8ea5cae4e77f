"""Subscribers for scenario (e), run as a process of their own.

Opens CONNECTIONS WebSockets (graphql-transport-ws), each with PER_CONNECTION
``sessionStatusChanged`` subscriptions, prints "ready", then one line per
received event: ``<session id> <unix time received>``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import websockets

QUERY = "subscription { sessionStatusChanged { status session { id } } }"


async def connection(
    url: str,
    token: str,
    count: int,
    ready: asyncio.Event,
    opened: list[int],
    total: int,
) -> None:
    async with websockets.connect(
        url,
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        max_size=None,
        open_timeout=60,
    ) as ws:
        await ws.send(
            json.dumps(
                {
                    "type": "connection_init",
                    "payload": {"authorization": f"Bearer {token}"},
                }
            )
        )
        ack = json.loads(await ws.recv())
        assert ack["type"] == "connection_ack", ack
        for i in range(count):
            await ws.send(
                json.dumps(
                    {"id": str(i), "type": "subscribe", "payload": {"query": QUERY}}
                )
            )
        opened[0] += count
        if opened[0] >= total:
            ready.set()
        async for raw in ws:
            now = time.time()
            msg = json.loads(raw)
            if msg.get("type") == "next":
                data = msg["payload"].get("data") or {}
                event = data.get("sessionStatusChanged")
                if event:
                    sys.stdout.write(f"{event['session']['id']} {now:.6f}\n")
            elif msg.get("type") == "ping":
                await ws.send(json.dumps({"type": "pong"}))


async def main() -> None:
    url, token = os.environ["WS_URL"], os.environ["TOKEN"]
    conns = int(os.environ.get("CONNECTIONS", "100"))
    per = int(os.environ.get("PER_CONNECTION", "10"))
    ready = asyncio.Event()
    opened = [0]
    tasks = [
        asyncio.create_task(connection(url, token, per, ready, opened, conns * per))
        for _ in range(conns)
    ]
    await ready.wait()
    # let the server finish registering the subscriptions
    await asyncio.sleep(2)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    asyncio.run(main())
