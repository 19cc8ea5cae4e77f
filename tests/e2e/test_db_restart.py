"""The embedded PostgreSQL stopped and started again under a real server:
while it is down /health is 503 naming the database and requests fail fast
with SERVICE_UNAVAILABLE; afterwards the server recovers without a restart,
its LISTEN connection returns (a subscriber connected throughout sees a new
upload's every status), and the jobs complete."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from db.embedded import socket_dir_of, start_cluster, stop_cluster
from tests.e2e.pipeline_helpers import (
    MP3,
    Subscriber,
    make_account,
    pipeline_env,
    upload,
    wait_status,
)
from tests.e2e.server import ServerProcess
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.e2e

DOWN_SECONDS = 3.0
ME = "query { me { id } }"
ORDER = ["UPLOADING", "TRANSCRIBING", "TRANSCRIBED", "EXTRACTING_NOTES", "PROCESSED"]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


async def _load(url: str, token: str, results: list[tuple[float, float, Any]]) -> None:
    """Steady reads, ~20 a second: (started, seconds, outcome) each."""
    async with httpx.AsyncClient(timeout=60) as client:
        while True:
            started = time.monotonic()
            try:
                r = await client.post(
                    f"{url}/graphql",
                    json={"query": ME},
                    headers={"authorization": f"Bearer {token}"},
                )
                body = r.json()
                errors = body.get("errors") or []
                outcome = errors[0]["extensions"]["code"] if errors else "ok"
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            results.append((started, time.monotonic() - started, outcome))
            await asyncio.sleep(0.05)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # not under pytest's own temporary root: PostgreSQL runs as another user
    # when the tests run as root, and must traverse every parent directory
    with tempfile.TemporaryDirectory(prefix="tb-restart-") as path:
        yield Path(path)


async def test_the_server_rides_out_a_database_restart(
    data_dir: Path, fake: FakeOpenAI
) -> None:
    tmp_path = data_dir
    # given a server on its embedded PostgreSQL, with its in-process worker
    env = pipeline_env("", tmp_path, fake.base_url, OPERATION_TIMEOUT_SECONDS="5")
    pgdata = tmp_path / "pg"
    server = ServerProcess("serve", env=env).start()
    socket_dir: Path | None = None
    try:
        server.wait_healthy(90)
        socket_dir = socket_dir_of(pgdata)
        assert socket_dir is not None
        url = f"postgresql+asyncpg://postgres@/therapybridge?host={socket_dir}"
        account = await make_account(url)
        watcher = await Subscriber(server.url, account.token).start()
        results: list[tuple[float, float, Any]] = []
        load = asyncio.create_task(_load(server.url, account.token, results))
        before = await upload(server.url, account.token, account.patient_id, MP3)
        first_id = before.json()["data"]["uploadSessionAudio"]["id"]
        await asyncio.sleep(1.0)

        # when PostgreSQL stops, stays down a while, and starts again
        await asyncio.to_thread(stop_cluster, pgdata)
        stopped = time.monotonic()
        await asyncio.sleep(1.0)
        async with httpx.AsyncClient(timeout=30) as client:
            health_down = await client.get(f"{server.url}/health")
            asked = time.monotonic()
            down_answer = await client.post(
                f"{server.url}/graphql",
                json={"query": ME},
                headers={"authorization": f"Bearer {account.token}"},
            )
            answered_in = time.monotonic() - asked
        await asyncio.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - stopped)))
        await asyncio.to_thread(start_cluster, pgdata, socket_dir)
        started = time.monotonic()
        recovered = None
        async with httpx.AsyncClient(timeout=30) as client:
            while time.monotonic() - started < 30:
                if (await client.get(f"{server.url}/health")).status_code == 200:
                    recovered = time.monotonic() - started
                    break
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        load.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await load

        # and then a whole pipeline runs, seen live by the old subscriber
        after = await upload(server.url, account.token, account.patient_id, MP3)
        second_id = after.json()["data"]["uploadSessionAudio"]["id"]
        second = await wait_status(
            server.url, account.token, second_id, {"PROCESSED", "FAILED"}
        )
        first = await wait_status(
            server.url, account.token, first_id, {"PROCESSED", "FAILED"}
        )
        await watcher.wait_for("PROCESSED", 30)
        deadline = time.monotonic() + 30
        while watcher.statuses().count("PROCESSED") < 2:
            assert time.monotonic() < deadline, watcher.statuses()
            await asyncio.sleep(0.2)
        await watcher.stop()
    finally:
        server.stop()
        # pgserver does not know the server we started: stop it ourselves
        if socket_dir_of(pgdata) is not None:
            with contextlib.suppress(Exception):
                stop_cluster(pgdata)

    # then while it was down: 503 naming the database, and a fast clear error
    body = health_down.json()
    assert health_down.status_code == 503
    assert body["database"] == "unavailable"
    assert "database" in body["status"]
    assert down_answer.status_code == 503
    assert (
        down_answer.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    )
    assert answered_in < 5
    # no request hung past OPERATION_TIMEOUT_SECONDS; every one was ok or coded
    assert max(seconds for _, seconds, _ in results) < 5
    assert {o for _, _, o in results} <= {"ok", "SERVICE_UNAVAILABLE"}
    assert any(o == "SERVICE_UNAVAILABLE" for _, _, o in results)
    assert results[-1][2] == "ok"
    # and it came back by itself, with both sessions done
    assert recovered is not None
    assert recovered < 15
    assert first["status"] == "PROCESSED"
    assert second["status"] == "PROCESSED"
    assert _statuses_of(watcher, second_id) == ORDER
    assert _statuses_of(watcher, first_id)[-1] == "PROCESSED"


def _statuses_of(watcher: Subscriber, session_id: str) -> list[str]:
    return [
        e["data"]["sessionStatusChanged"]["status"]
        for e in watcher.events
        if e.get("data")
        and e["data"]["sessionStatusChanged"]["session"]["id"] == session_id
    ]
