"""`therapybridge serve` as a real process."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from db.embedded import stop_cluster
from services.jobs import WORKER_STOP_SECONDS
from tests.e2e.server import ServerProcess

pytestmark = pytest.mark.e2e


def test_serve_answers_health_and_graphiql(live_server: ServerProcess) -> None:
    health = httpx.get(f"{live_server.url}/health").json()
    page = httpx.get(f"{live_server.url}/graphql", headers={"accept": "text/html"})

    assert health["status"] == "ok"
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def _embedded_env(data_dir: Path) -> dict[str, str]:
    return {"DATA_DIR": str(data_dir), "DATABASE_URL": "", "ENVIRONMENT": "development"}


def _postmaster_running(data_dir: Path) -> bool:
    return (data_dir / "pg" / "postmaster.pid").exists()


def test_embedded_postgres_survives_restart_and_stops_on_exit(tmp_path: Path) -> None:
    env = _embedded_env(tmp_path)
    with ServerProcess("serve", "--no-worker", env=env) as first:
        first.wait_healthy()
        uri = _socket_uri(tmp_path)
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (v text)")
            conn.execute("INSERT INTO kept VALUES ('still here')")
    assert not _postmaster_running(tmp_path)

    with ServerProcess("serve", "--no-worker", env=env) as second:
        second.wait_healthy()
        with psycopg.connect(_socket_uri(tmp_path)) as conn:
            assert conn.execute("SELECT v FROM kept").fetchone() == ("still here",)
    assert not _postmaster_running(tmp_path)


def test_two_servers_on_one_data_dir_share_one_postgres(tmp_path: Path) -> None:
    env = _embedded_env(tmp_path)
    a = ServerProcess("serve", "--no-worker", env=env).start()
    b = ServerProcess("serve", "--no-worker", env=env).start()
    try:
        a.wait_healthy()
        b.wait_healthy()
        a.stop()
        # the second still has its database after the first one left
        assert b.wait_healthy()["database"] == "ok"
    finally:
        a.stop()
        b.stop()
    assert not _postmaster_running(tmp_path)


def _socket_uri(data_dir: Path) -> str:
    return f"postgresql://postgres@/therapybridge?host={data_dir.resolve() / 'pg'}"


def test_serve_stops_while_its_database_is_down(tmp_path: Path) -> None:
    """A server whose PostgreSQL went away still stops on SIGTERM/SIGINT, in
    about jobs.WORKER_STOP_SECONDS: its job worker's shutdown waits for a
    connection that never comes, and a cancel that arrived meanwhile used to
    be swallowed, the worker started again and the process never ended."""
    env = _embedded_env(tmp_path)
    for sig in (signal.SIGTERM, signal.SIGINT):
        server = ServerProcess("serve", env=env).start()
        try:
            # given a server with its job worker, and then no database
            assert server.wait_healthy()["jobs"] == "ok"
            stop_cluster(tmp_path / "pg")
            assert server.proc is not None
            # when it is asked to stop
            started = time.monotonic()
            server.proc.send_signal(sig)
            try:
                server.proc.wait(WORKER_STOP_SECONDS + 15)
            except subprocess.TimeoutExpired:
                pytest.fail(f"still running after {sig!r}:\n{server.output()[-3000:]}")
            took = time.monotonic() - started
        finally:
            server.kill()
        # then it ended by itself, within the bound
        assert server.proc.returncode != -signal.SIGKILL
        assert took < WORKER_STOP_SECONDS + 10, server.output()[-3000:]
    assert not _postmaster_running(tmp_path)
