"""The processing pipeline end to end: real server processes, a real
multipart client, a real graphql-transport-ws subscriber, the real openai
client talking to the local fake OpenAI server."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from db.engine import to_libpq_url
from services.extraction import cost_of
from tests.e2e.pipeline_helpers import (
    MP3,
    Subscriber,
    make_account,
    pipeline_env,
    query,
    upload,
    wait_status,
)
from tests.e2e.server import ServerProcess
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.e2e

ROLES = """
query R($id: ID!) { session(id: $id) { transcript { segments { speaker role } } } }
"""
ORDER = ["UPLOADING", "TRANSCRIBING", "TRANSCRIBED", "EXTRACTING_NOTES", "PROCESSED"]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


def _serve(env: dict[str, str], *extra: str) -> ServerProcess:
    server = ServerProcess("serve", *extra, env=env).start()
    server.wait_healthy()
    return server


def _rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        return conn.execute(sql).fetchall()


def _stored_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "storage").rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def speech() -> Iterator[FakeOpenAI]:
    """A second provider, for transcription only."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


async def test_upload_is_processed_and_the_subscriber_sees_every_status(
    e2e_database_url: str, data_dir: Path, fake: FakeOpenAI, speech: FakeOpenAI
) -> None:
    # given a server with its in-process worker and a subscriber for all
    # sessions; transcription goes to its own provider
    fake.configure()
    speech.configure(api_key="speech-key")
    env = pipeline_env(
        e2e_database_url,
        data_dir,
        fake.base_url,
        TRANSCRIPTION_BASE_URL=speech.base_url,
        TRANSCRIPTION_API_KEY="speech-key",
    )
    server = _serve(env)
    try:
        account = await make_account(e2e_database_url)
        watcher = await Subscriber(server.url, account.token).start()
        outsider = await Subscriber(server.url, account.other_token).start()

        # when the therapist uploads an mp3
        response = await upload(server.url, account.token, account.patient_id, MP3)
        created = response.json()["data"]["uploadSessionAudio"]
        await watcher.wait_for("PROCESSED")
        session = await wait_status(
            server.url, account.token, created["id"], {"PROCESSED", "FAILED"}
        )

        # then it returned at once as UPLOADING and went through every stage
        assert created["status"] == "UPLOADING"
        assert watcher.statuses() == ORDER
        assert session["status"] == "PROCESSED"
        assert [e["status"] for e in session["events"]] == ORDER
        # whisper-1's three sentences spread over the 12.5 s of audio
        assert [s["start"] for s in session["transcript"]["segments"]] == [
            0.0,
            4.167,
            8.333,
        ]
        assert session["notes"]["version"] == 1
        # the double's topics are the topic words of the transcript itself
        assert session["notes"]["keyTopics"] == ["stress", "work", "sleep"]
        assert session["notes"]["model"] == "gpt-4o"
        # another therapist's subscription saw nothing of it
        assert outsider.statuses() == []
        metrics = _rows(
            e2e_database_url,
            "SELECT mood_score, strategies_count, has_risk_flags FROM session_metrics",
        )
        assert metrics == [(3, 1, False)]
        notes = _rows(
            e2e_database_url,
            "SELECT input_tokens, output_tokens, cost_usd FROM session_notes",
        )
        ((tokens_in, tokens_out, cost),) = notes
        assert isinstance(tokens_in, int)
        assert isinstance(tokens_out, int)
        assert tokens_in > 100
        assert tokens_out > 50
        assert cost == cost_of("gpt-4o", tokens_in, tokens_out)
        chat = [c for c in fake.calls() if c["endpoint"] == "chat"]
        assert chat[0]["temperature"] == 0
        assert chat[0]["response_format"] == "json_schema"
        # each stage went to its own provider, with its own key
        assert {c["endpoint"] for c in fake.calls()} == {"chat"}
        assert [(c["endpoint"], c["status"]) for c in speech.calls()] == [
            ("transcriptions", 200)
        ]
        await watcher.stop()
        await outsider.stop()
    finally:
        server.stop()


async def test_wrong_type_oversize_and_missing_preflight_leave_nothing(
    e2e_database_url: str, data_dir: Path, fake: FakeOpenAI
) -> None:
    # given a server accepting at most 1 MB
    server = _serve(pipeline_env(e2e_database_url, data_dir, fake.base_url))
    try:
        account = await make_account(e2e_database_url)

        # when a text file, a 3 MB mp3 and a request without the CSRF header come
        wrong = await upload(
            server.url, account.token, account.patient_id, b"hello, not audio" * 100
        )
        big = MP3 + b"\x00" * (3 * 1024 * 1024)
        try:
            oversize = (
                await upload(server.url, account.token, account.patient_id, big)
            ).json()
        except Exception:  # the server may cut the connection mid-body
            oversize = None
        no_header = await upload(
            server.url, account.token, account.patient_id, MP3, headers={}
        )

        # then each is BAD_USER_INPUT and no row or file is left behind
        assert wrong.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "audio",
        }
        if oversize is not None:
            assert oversize["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert no_header.status_code == 400
        assert no_header.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert _rows(e2e_database_url, "SELECT id FROM therapy_sessions") == []
        assert _rows(e2e_database_url, "SELECT id FROM audio_files") == []
        assert _stored_files(data_dir) == []
    finally:
        server.stop()


async def test_transient_errors_and_an_invalid_answer_are_retried(
    e2e_database_url: str, data_dir: Path, fake: FakeOpenAI
) -> None:
    # given a provider answering 429 then 500 to transcription, and invalid
    # JSON once to extraction
    fake.configure(fail={"transcriptions": [429, 500]}, invalid_json=1)
    server = _serve(pipeline_env(e2e_database_url, data_dir, fake.base_url))
    try:
        account = await make_account(e2e_database_url)

        # when a recording is uploaded
        response = await upload(server.url, account.token, account.patient_id, MP3)
        sid = response.json()["data"]["uploadSessionAudio"]["id"]
        session = await wait_status(
            server.url, account.token, sid, {"PROCESSED", "FAILED"}
        )

        # then the job retried twice and the model was told what was wrong once
        calls = fake.calls()
        chat = [c for c in calls if c["endpoint"] == "chat"]
        assert session["status"] == "PROCESSED"
        assert len([c for c in calls if c["endpoint"] == "transcriptions"]) == 3
        assert len(chat) == 2
        assert "did not match the schema" in chat[1]["last_message"]
        assert "Invalid JSON" in chat[1]["last_message"]
    finally:
        server.stop()


async def test_a_worker_killed_mid_transcription_does_not_leave_the_session_stuck(
    e2e_database_url: str, data_dir: Path, fake: FakeOpenAI
) -> None:
    # given an API server without worker, a worker, and a slow transcription
    fake.configure(delay={"transcriptions": 60})
    env = pipeline_env(e2e_database_url, data_dir, fake.base_url)
    server = _serve(env, "--no-worker")
    first = ServerProcess("worker", env=env).start()
    second: ServerProcess | None = None
    try:
        account = await make_account(e2e_database_url)
        response = await upload(server.url, account.token, account.patient_id, MP3)
        sid = response.json()["data"]["uploadSessionAudio"]["id"]
        assert (await wait_status(server.url, account.token, sid, {"TRANSCRIBING"}))[
            "status"
        ] == "TRANSCRIBING"

        # when the worker is killed mid-job and a new one starts
        assert first.proc is not None
        os.kill(first.proc.pid, signal.SIGKILL)
        first.stop()
        fake.configure()
        second = ServerProcess("worker", env=env).start()
        session = await wait_status(
            server.url, account.token, sid, {"PROCESSED", "FAILED"}, within=90
        )

        # then the stalled job was retried and the session finished
        assert session["status"] == "PROCESSED", second.output()[-2000:]
        assert [e["status"] for e in session["events"]] == ORDER
    finally:
        if second is not None:
            second.stop()
        first.stop()
        server.stop()


async def test_three_processes_subscriber_on_a_upload_on_b_separate_worker(
    e2e_database_url: str, data_dir: Path, fake: FakeOpenAI
) -> None:
    # given servers A and B without workers, sharing storage, and one worker
    # transcribing with the diarizing model
    fake.configure()
    env = pipeline_env(
        e2e_database_url,
        data_dir,
        fake.base_url,
        TRANSCRIPTION_MODEL="gpt-4o-transcribe-diarize",
    )
    a = _serve(env, "--no-worker")
    b = _serve(env, "--no-worker")
    worker = ServerProcess("worker", env=env).start()
    try:
        account = await make_account(e2e_database_url)
        watcher = await Subscriber(a.url, account.token).start()

        # when the upload goes to B
        response = await upload(b.url, account.token, account.patient_id, MP3)
        sid = response.json()["data"]["uploadSessionAudio"]["id"]
        await watcher.wait_for("PROCESSED")

        # then the subscriber on A saw every status of that session, in order
        assert watcher.statuses() == ORDER
        events = [e["data"]["sessionStatusChanged"] for e in watcher.events]
        assert {e["session"]["id"] for e in events} == {sid}
        # and the diarized turns carry speaker labels and roles
        body = await query(a.url, account.token, ROLES, id=sid)
        segments = body["data"]["session"]["transcript"]["segments"]
        assert [(s["speaker"], s["role"]) for s in segments] == [
            ("A", "THERAPIST"),
            ("B", "CLIENT"),
        ]
        await watcher.stop()
    finally:
        worker.stop()
        b.stop()
        a.stop()


async def test_websocket_needs_a_valid_token_and_an_active_account(
    live_server: ServerProcess, e2e_database_url: str
) -> None:
    # given an account, then a deactivated therapist's token
    account = await make_account(e2e_database_url)
    _rows_exec(
        e2e_database_url,
        "UPDATE users SET is_active = false WHERE id = ("
        "SELECT therapist_id FROM patient_therapists LIMIT 1)",
    )

    # when subscribers connect with a bad token and with the deactivated one
    forged = Subscriber(live_server.url, "not-a-token")
    await forged.start()
    deactivated = Subscriber(live_server.url, account.token)
    await deactivated.start()

    # then the connections are closed before any subscription starts
    assert forged.close_code == 4401
    assert deactivated.close_code == 4403
    assert forged.events == deactivated.events == []


def _rows_exec(database_url: str, sql: str) -> None:
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        conn.execute(sql)
