"""A process killed right after a mutation commits loses nothing: the job was
queued in the mutation's own transaction, so a worker started afterwards
finishes the session."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from db.engine import to_libpq_url
from db.runtime import migrate
from tests.e2e.pipeline_helpers import make_account, pipeline_env
from tests.e2e.server import ROOT, ServerProcess
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def _one(database_url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        return conn.execute(sql).fetchall()


async def test_a_process_killed_after_commit_leaves_its_job(
    e2e_database_url: str, tmp_path: Path, fake: FakeOpenAI
) -> None:
    # given a migrated database, a therapist and their patient
    await asyncio.to_thread(migrate, e2e_database_url)
    account = await make_account(e2e_database_url)
    env = pipeline_env(e2e_database_url, tmp_path, fake.base_url)

    # when a process uploads audio and is SIGKILLed the moment it committed
    done = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "tests.e2e.commit_then_die",
            account.token,
            account.patient_id,
        ],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )

    # then it died after the commit, and the session has its job queued
    assert done.returncode == -9, done.stdout + done.stderr
    assert done.stdout.strip() == b"committed"
    [(sid, status)] = _one(e2e_database_url, "SELECT id, status FROM therapy_sessions")
    assert status == "UPLOADING"
    jobs = _one(
        e2e_database_url,
        "SELECT task_name, status::text FROM procrastinate_jobs"
        f" WHERE args->>'session_id' = '{sid}'",
    )
    assert jobs == [("session.transcribe", "todo")]

    # and a worker started afterwards takes the session all the way
    worker = ServerProcess("worker", env=env).start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            [(status,)] = _one(
                e2e_database_url,
                f"SELECT status FROM therapy_sessions WHERE id = '{sid}'",
            )
            if status in ("PROCESSED", "FAILED"):
                break
            await asyncio.sleep(0.3)
    finally:
        worker.stop()
    assert status == "PROCESSED", worker.output()[-3000:]
    events = _one(
        e2e_database_url,
        "SELECT status FROM session_status_events"
        f" WHERE session_id = '{sid}' ORDER BY id",
    )
    assert [e[0] for e in events] == [
        "UPLOADING",
        "TRANSCRIBING",
        "TRANSCRIBED",
        "EXTRACTING_NOTES",
        "PROCESSED",
    ]
