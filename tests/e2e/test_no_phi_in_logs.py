"""No PHI in logs: every line of a real server and a real worker process, at
DEBUG, while requests and the whole pipeline carry a patient's name and marker
strings, through successes, refusals, bad input and failures."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.pipeline_helpers import (
    MP3,
    make_account,
    pipeline_env,
    query,
    upload,
    wait_status,
)
from tests.e2e.server import ServerProcess
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.e2e

NAME = "Zelda Quixotewright"
EMAIL = "zelda.quixotewright@example.com"
PHONE = "+1 202 918 3746"
TRANSCRIPT = (
    "MARKER-TRANSCRIPT-71 Zelda Quixotewright said she had panic attacks at "
    "the MARKER-CLINIC-93 and stopped taking sertraline."
)
FORBIDDEN = (
    "MARKER",
    "Zelda",
    "Quixotewright",
    "quixotewright",
    "918 3746",
    "sertraline",
    "panic attacks",
    # the fake transcription's and notes' words
    "stressed at work",
    "sleep diary",
    "CBT-I",
)
CREATE_PATIENT = """
mutation($input: CreatePatientInput!) { createPatient(input: $input) { id name } }
"""
CONSENT = """
mutation($p: ID!, $k: ConsentKind!) {
  recordConsent(patientId: $p, kind: $k, granted: true, formVersion: "v1") { id }
}
"""
FROM_TRANSCRIPT = """
mutation($p: ID!, $t: String!) {
  createSessionFromTranscript(patientId: $p, transcript: $t) { id status }
}"""
SEARCH = "query($q: String) { patients(search: $q) { edges { node { id name } } } }"
LOGIN = """
mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }
"""


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


async def post(url: str, body: Any, token: str | None = None, **headers: str) -> Any:
    if token:
        headers["authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(f"{url}/graphql", json=body, headers=headers)


async def exercise(url: str, database_url: str, fake: FakeOpenAI) -> dict[str, Any]:
    account = await make_account(database_url)
    token = account.token
    created = await query(
        url,
        token,
        CREATE_PATIENT,
        input={"name": NAME, "email": EMAIL, "phone": PHONE},
    )
    assert created.get("data"), created
    patient_id = created["data"]["createPatient"]["id"]
    for kind in ("RECORDING", "AI_PROCESSING"):
        consent = await query(url, token, CONSENT, p=patient_id, k=kind)
        assert consent.get("data"), consent
    # the pipeline from a transcript, and from an upload whose file is named
    session = await query(url, token, FROM_TRANSCRIPT, p=patient_id, t=TRANSCRIPT)
    session_id = session["data"]["createSessionFromTranscript"]["id"]
    done = await wait_status(url, token, session_id, {"PROCESSED", "FAILED"})
    uploaded = await upload(
        url, token, patient_id, MP3, filename="Zelda-Quixotewright-MARKER-FILE.mp3"
    )
    upload_id = uploaded.json()["data"]["uploadSessionAudio"]["id"]
    upload_done = await wait_status(url, token, upload_id, {"PROCESSED", "FAILED"})
    # a failing pipeline: the model answers 400 every time
    fake.configure(fail={"chat": [400] * 20})
    failing = await query(url, token, FROM_TRANSCRIPT, p=patient_id, t=TRANSCRIPT)
    failing_id = failing["data"]["createSessionFromTranscript"]["id"]
    failed = await wait_status(url, token, failing_id, {"PROCESSED", "FAILED"})
    fake.configure()
    # bad input, refusals and errors with the markers in them
    for body in (
        {
            "query": CREATE_PATIENT,
            "variables": {"input": {"name": NAME, "email": "MARKER-not-an-email"}},
        },
        {
            "query": CREATE_PATIENT,
            "variables": {"input": {"name": NAME, "phone": "MARKER-PHONE-x"}},
        },
        {
            "query": CREATE_PATIENT,
            "variables": {"input": {"name": NAME, "dateOfBirth": "MARKER-DATE"}},
        },
        {
            "query": CREATE_PATIENT,
            "variables": {"input": {"name": NAME, "email": EMAIL}},
        },
        {"query": "query { MARKERFIELD { Zelda } }"},
        {"query": 'query { patients(search: "MARKER Zelda" ) { totalCount } }'},
        {"query": SEARCH, "variables": {"q": "Zelda MARKER-SEARCH"}},
        {"query": "{ me { id } } MARKER-SYNTAX Zelda {"},
        {"query": LOGIN, "variables": {"e": EMAIL, "p": "MARKER-PASSWORD"}},
        {"query": "query { me { id @include(if: true) " * 20 + "} }" * 20},
    ):
        await post(url, body, token)
    await post(url, {"query": SEARCH, "variables": {"q": NAME}}, "MARKER.Zelda.token")
    await post(url, [{"query": LOGIN, "variables": {"e": EMAIL, "p": "MARKER"}}] * 2)
    async with httpx.AsyncClient(timeout=30) as client:
        await client.post(
            f"{url}/graphql",
            content=f'query=mutation{{createPatient(name:"{NAME} MARKER")}}',
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        await client.get(
            f"{url}/graphql",
            params={"query": f'{{ patients(search: "{NAME}") {{ totalCount }} }}'},
        )
        await client.post(
            f"{url}/graphql",
            content=b'{"query": "MARKER Zelda \xff',
            headers={"content-type": "application/json"},
        )
    await upload(url, token, patient_id, f"not audio {NAME} MARKER".encode() * 50)
    other = await query(url, account.other_token, SEARCH, q=NAME)
    return {
        "done": done,
        "upload": upload_done,
        "failed": failed,
        "other": other,
    }


def _log_lines(*servers: ServerProcess) -> list[str]:
    return [line for s in servers for line in s.output().splitlines() if line.strip()]


async def test_no_log_line_of_server_or_worker_holds_phi(
    e2e_database_url: str, tmp_path: Path, fake: FakeOpenAI
) -> None:
    # given a server and a separate worker, both logging at DEBUG
    fake.configure()
    env = pipeline_env(e2e_database_url, tmp_path, fake.base_url, LOG_LEVEL="DEBUG")
    server = ServerProcess(
        "serve", "--no-worker", env=env, log_path=tmp_path / "server.log"
    ).start()
    worker = ServerProcess("worker", env=env, log_path=tmp_path / "worker.log")
    try:
        server.wait_healthy()
        worker.start()

        # when PHI goes through every path
        outcome = await exercise(server.url, e2e_database_url, fake)
        await asyncio.sleep(1)
    finally:
        server.stop()
        worker.stop()

    # then the pipeline really ran, and the logs really were written at DEBUG
    assert outcome["done"]["status"] == "PROCESSED"
    assert outcome["upload"]["status"] == "PROCESSED"
    assert outcome["failed"]["status"] == "FAILED"
    assert outcome["other"]["data"]["patients"]["edges"] == []
    server_lines = _log_lines(server)
    worker_lines = _log_lines(worker)
    assert any('"DEBUG"' in line for line in server_lines + worker_lines)
    assert any("POST /graphql" in line for line in server_lines)
    assert len(worker_lines) > 5
    # and no line holds the name, the contact data or the clinical text
    leaks = [
        (marker, line)
        for line in server_lines + worker_lines
        for marker in FORBIDDEN
        if marker in line
    ]
    assert leaks == [], json.dumps(leaks[:5], indent=1)
