"""A real production server behind a proxy, with trusted documents:
TRUSTED_PROXIES hands X-Forwarded-For to uvicorn (the login attempt records
the client's address), a forged header from a peer that is not a trusted proxy
is ignored, /metrics is refused on the API port without METRICS_TOKEN, even
to loopback, while METRICS_PORT serves it on 127.0.0.1, and under
TRUSTED_DOCUMENTS an unlisted document is refused over HTTP and over a real
graphql-ws connection."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import websockets
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import create_sessionmaker, to_libpq_url
from settings import Settings
from tests.e2e.server import ServerProcess, free_port
from tests.factories import create_user, token_for
from tests.pg import PgServer

pytestmark = pytest.mark.e2e

LOGIN = 'mutation { login(email: "%s", password: "wrong-password-1") { accessToken } }'
CLIENT = "198.51.100.23"
EMAILS = ("proxied@example.test", "forged@example.test")
LISTED = "query Typename { __typename }"
LISTED_SUBSCRIPTION = "subscription { sessionStatusChanged { status } }"
UNLISTED_SUBSCRIPTION = "subscription { sessionStatusChanged { previousStatus } }"
JWT_SECRET = "production-test-secret-0123456789abcdef"
PHI_KEY = base64.b64encode(b"p" * 32).decode()


def _manifest(path: Path) -> Path:
    docs = [LISTED, LISTED_SUBSCRIPTION, *(LOGIN % e for e in EMAILS)]
    path.write_text(
        json.dumps({hashlib.sha256(d.encode()).hexdigest(): d for d in docs})
    )
    return path


def _serve(database_url: str, data: Path, **env: str) -> ServerProcess:
    server = ServerProcess(
        "serve",
        "--no-worker",
        env={"DATABASE_URL": database_url, "DATA_DIR": str(data), **env},
    )
    server.start()
    try:
        server.wait_healthy()
    except Exception:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module")
def prod_database_url(pg: PgServer) -> str:
    return pg.create_database("tb_prod")


@pytest.fixture(scope="module")
def production_server(
    prod_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, int]]:
    metrics_port = free_port()
    data = tmp_path_factory.mktemp("prod")
    server = _serve(
        prod_database_url,
        data,
        ENVIRONMENT="production",
        JWT_SECRET_KEY=JWT_SECRET,
        PHI_ENCRYPTION_KEY=PHI_KEY,
        TRUSTED_PROXIES="127.0.0.1",
        METRICS_PORT=str(metrics_port),
        TRUSTED_DOCUMENTS=str(_manifest(data / "persisted-documents.json")),
    )
    try:
        yield server, metrics_port
    finally:
        server.stop()


def _attempt_ip(database_url: str, email: str) -> str | None:
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        row = conn.execute(
            "SELECT ip_address FROM login_attempts WHERE email = %s", (email,)
        ).fetchone()
    return row[0] if row else None


def _login(
    server: ServerProcess, email: str, forwarded: str, source: str = "127.0.0.1"
) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=10) as client:
        return client.post(
            f"{server.url}/graphql",
            json={"query": LOGIN % email},
            headers={"x-forwarded-for": forwarded},
        )


def test_production_behind_a_trusted_proxy(
    production_server: tuple[ServerProcess, int], prod_database_url: str
) -> None:
    server, metrics_port = production_server

    login = _login(server, "proxied@example.test", CLIENT)
    metrics = httpx.get(f"{server.url}/metrics", timeout=10)
    side = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10)
    get = httpx.get(f"{server.url}/graphql", params={"query": "{ __typename }"})

    assert login.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert _attempt_ip(prod_database_url, "proxied@example.test") == CLIENT
    assert metrics.status_code == 403  # loopback, yet refused
    assert "python_info" not in metrics.text
    assert side.status_code == 200
    assert "python_info" in side.text
    assert get.status_code == 405


def test_a_forged_forwarded_for_is_ignored(
    production_server: tuple[ServerProcess, int], prod_database_url: str
) -> None:
    server, _ = production_server

    # 127.0.0.2 is a loopback address too, but not the trusted proxy
    _login(server, "forged@example.test", CLIENT, source="127.0.0.2")

    assert _attempt_ip(prod_database_url, "forged@example.test") == "127.0.0.2"


def test_only_trusted_documents_run_in_production(
    production_server: tuple[ServerProcess, int],
) -> None:
    server, _ = production_server
    listed_hash = hashlib.sha256(LISTED.encode()).hexdigest()

    by_text = httpx.post(f"{server.url}/graphql", json={"query": LISTED})
    by_id = httpx.post(f"{server.url}/graphql", json={"documentId": listed_hash})
    unlisted = httpx.post(
        f"{server.url}/graphql",
        json={"query": "query Other { __typename }"},
        headers={"accept": "application/graphql-response+json"},
    )

    assert by_text.json()["data"] == {"__typename": "Query"}
    assert by_id.json()["data"] == {"__typename": "Query"}
    assert unlisted.status_code == 400
    assert unlisted.json()["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_ALLOWED"
    )


async def _production_token(database_url: str) -> str:
    settings = Settings(
        environment="production",
        database_url=database_url,
        jwt_secret_key=JWT_SECRET,
        phi_encryption_key=PHI_KEY,
    )
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with create_sessionmaker(engine)() as db:
            user = await create_user(db)
            await db.commit()
            return token_for(settings, user)
    finally:
        await engine.dispose()


async def test_an_unlisted_subscription_is_refused_over_graphql_ws(
    production_server: tuple[ServerProcess, int], prod_database_url: str
) -> None:
    server, _ = production_server
    token = await _production_token(prod_database_url)
    url = server.url.replace("http://", "ws://") + "/graphql"

    async with websockets.connect(
        url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    ) as ws:
        init = {
            "type": "connection_init",
            "payload": {"authorization": f"Bearer {token}"},
        }
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for op_id, doc in (
            ("bad", UNLISTED_SUBSCRIPTION),
            ("good", LISTED_SUBSCRIPTION),
        ):
            message = {"id": op_id, "type": "subscribe", "payload": {"query": doc}}
            await ws.send(json.dumps(message))
        bad: list[dict[str, Any]] = []
        while not bad or bad[-1]["type"] not in ("error", "complete"):
            message = json.loads(await ws.recv())
            assert message["id"] == "bad", message  # the listed one waits
            bad.append(message)
        await ws.send(json.dumps({"id": "good", "type": "complete"}))

    # strawberry sends a refused operation's errors as next (then complete)
    payload = bad[0]["payload"]
    errors = payload if isinstance(payload, list) else payload["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["PERSISTED_QUERY_NOT_ALLOWED"]
