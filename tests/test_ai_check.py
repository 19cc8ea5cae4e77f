"""``therapybridge ai-check`` as a clinic's administrator runs it: against
the fake OpenAI server (working), a closed port and a refused key."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_openai import FakeOpenAI

EXE = str(Path(sys.executable).with_name("therapybridge"))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: nothing listens there


def _check(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [EXE, "ai-check"],
        capture_output=True,
        text=True,
        env={**base, "OPENAI_API_KEY": "k", "ENVIRONMENT": "development", **env},
        timeout=120,
    )


def test_working_providers_are_reported_ok(fake: FakeOpenAI) -> None:
    fake.configure()
    done = _check(
        OPENAI_BASE_URL=fake.base_url, TRANSCRIPTION_MODEL="gpt-4o-transcribe-diarize"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["transcription", "OK"]
    assert lines[2].split()[:2] == ["extraction", "OK"]
    assert lines[-1] == "All AI providers work."
    calls = fake.calls()
    assert [c["endpoint"] for c in calls] == ["transcriptions", "chat"]
    assert all(c["status"] == 200 for c in calls)


def test_an_unreachable_extraction_server_is_named(fake: FakeOpenAI) -> None:
    fake.configure()
    closed = f"http://127.0.0.1:{_closed_port()}/v1"
    done = _check(OPENAI_BASE_URL=fake.base_url, EXTRACTION_BASE_URL=closed)
    assert done.returncode == 1
    out = done.stdout
    assert out.splitlines()[0].split()[:2] == ["transcription", "OK"]
    assert out.splitlines()[2].split()[:2] == ["extraction", "FAILED"]
    assert f"could not connect to {closed}: check EXTRACTION_BASE_URL" in out
    assert "Not working: extraction." in out


def test_a_refused_key_is_named_for_both_stages(fake: FakeOpenAI) -> None:
    fake.configure(api_key="the-right-key")
    done = _check(OPENAI_BASE_URL=fake.base_url, OPENAI_API_KEY="a-wrong-key")
    assert done.returncode == 1
    assert "refused the API key (HTTP 401): check TRANSCRIPTION_API_KEY" in done.stdout
    assert "refused the API key (HTTP 401): check EXTRACTION_API_KEY" in done.stdout
    assert "Not working: transcription, extraction." in done.stdout
