"""WebSocket hardening against a real server: origins and operation limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.e2e.pipeline_helpers import make_account
from tests.e2e.server import ServerProcess

pytestmark = pytest.mark.e2e

ORIGIN = "https://app.example.test"
DEEP = (
    "subscription { sessionStatusChanged { session { patient { sessions { edges {"
    " node { patient { sessions { edges { node { patient { name } } } } } } } } } } } }"
)
DEEP_QUERY = (
    "query { me { id } patients { edges { node { sessions { edges { node { patient {"
    " sessions { edges { node { patient { name } } } } } } } } } } } }"
)
COSTLY = (
    "query { patients(first: 100) { edges { node { sessions(first: 100) {"
    " edges { node { id } } } } } } }"
)


@pytest.fixture
def server(e2e_database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    env = {
        "DATABASE_URL": e2e_database_url,
        "DATA_DIR": str(tmp_path),
        "ENVIRONMENT": "development",
        "CORS_ORIGINS": ORIGIN,
    }
    process = ServerProcess("serve", "--no-worker", env=env).start()
    try:
        process.wait_healthy()
        yield process
    finally:
        process.stop()


def ws_url(server: ServerProcess) -> str:
    return server.url.replace("http://", "ws://") + "/graphql"


async def run_operation(
    server: ServerProcess, token: str, query: str, origin: str | None = None
) -> list[dict[str, Any]]:
    headers = {"origin": origin} if origin else None
    async with websockets.connect(
        ws_url(server),
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        additional_headers=headers,
    ) as ws:
        init = {"authorization": f"Bearer {token}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": query}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        messages = []
        while True:
            raw = await ws.recv()
            # text frames: browser graphql-ws clients ignore binary ones
            assert isinstance(raw, str)
            message = json.loads(raw)
            messages.append(message)
            if message["type"] in ("error", "complete"):
                return messages


def error_extensions(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for m in messages:
        payload = m.get("payload")
        errors = payload if isinstance(payload, list) else (payload or {}).get("errors")
        found += [e.get("extensions", {}) for e in errors or []]
    return found


async def test_websocket_origins_come_from_cors_origins(
    server: ServerProcess, e2e_database_url: str
) -> None:
    account = await make_account(e2e_database_url)

    allowed = await run_operation(server, account.token, "query { me { id } }", ORIGIN)
    with pytest.raises(websockets.InvalidStatus) as refused:
        await run_operation(
            server, account.token, "query { me { id } }", "https://evil.example"
        )

    assert allowed[0]["type"] == "next"
    assert allowed[0]["payload"]["data"]["me"]["id"]
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    ("query", "kind"), [(DEEP, "depth"), (DEEP_QUERY, "depth"), (COSTLY, "cost")]
)
async def test_operation_limits_apply_over_websocket(
    server: ServerProcess, e2e_database_url: str, query: str, kind: str
) -> None:
    account = await make_account(e2e_database_url)

    messages = await run_operation(server, account.token, query)

    extensions = error_extensions(messages)
    assert [e.get("code") for e in extensions] == ["QUERY_TOO_COMPLEX"], messages
    assert extensions[0]["kind"] == kind
    assert extensions[0]["measured"] > extensions[0]["limit"]
