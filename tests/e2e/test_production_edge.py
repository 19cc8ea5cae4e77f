"""A real production server behind a proxy: TRUSTED_PROXIES hands
X-Forwarded-For to uvicorn (the login attempt records the client's address),
a forged header from a peer that is not a trusted proxy is ignored, and
/metrics is refused on the API port without METRICS_TOKEN, even to loopback,
while METRICS_PORT serves it on 127.0.0.1."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from db.engine import to_libpq_url
from tests.e2e.server import ServerProcess, free_port
from tests.pg import PgServer

pytestmark = pytest.mark.e2e

LOGIN = 'mutation { login(email: "%s", password: "wrong-password-1") { accessToken } }'
CLIENT = "198.51.100.23"


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
    server = _serve(
        prod_database_url,
        tmp_path_factory.mktemp("prod"),
        ENVIRONMENT="production",
        JWT_SECRET_KEY="production-test-secret-0123456789abcdef",
        PHI_ENCRYPTION_KEY=base64.b64encode(b"p" * 32).decode(),
        TRUSTED_PROXIES="127.0.0.1",
        METRICS_PORT=str(metrics_port),
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
