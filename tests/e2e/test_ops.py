"""Logs and metrics of a real server process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import create_async_engine

from db.engine import create_sessionmaker
from settings import Settings
from tests.e2e.server import ServerProcess
from tests.factories import create_user, token_for
from tests.pg import PgServer

pytestmark = pytest.mark.e2e

PATIENT_NAME = "Zelda Quartermaine"
PATIENT_EMAIL = "zelda.quartermaine@example.com"
CREATE = """
mutation CreateForLogs($input: CreatePatientInput!) {
  createPatient(input: $input) { id name email }
}
"""
UPDATE = """
mutation UpdateForLogs($id: ID!, $input: UpdatePatientInput!) {
  updatePatient(id: $id, input: $input) { id }
}
"""
SEARCH = """
query SearchForLogs($q: String) { patients(search: $q) { edges { node { name } } } }
"""
NAMED = "query ScrapeCheck { me { id } }"


async def _therapist_token(url: str, settings: Settings) -> tuple[str, str]:
    engine = create_async_engine(url)
    async with create_sessionmaker(engine)() as db:
        user = await create_user(db, email="e2e-logs@example.test")
        await db.commit()
    await engine.dispose()
    return token_for(settings, user), str(user.id)


def _post(server: ServerProcess, token: str, query: str, **variables: Any) -> Any:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    )
    return response.json()


async def test_every_log_line_is_json_with_ids_and_no_phi(
    e2e_database_url: str, tmp_path: Path, settings: Settings
) -> None:
    server = ServerProcess(
        "serve",
        "--no-worker",
        env={
            "DATABASE_URL": e2e_database_url,
            "DATA_DIR": str(tmp_path),
            "ENVIRONMENT": "development",
            "LOG_LEVEL": "debug",
        },
    )
    with server:
        server.wait_healthy()
        token, user_id = await _therapist_token(e2e_database_url, settings)
        created = _post(
            server, token, CREATE, input={"name": PATIENT_NAME, "email": PATIENT_EMAIL}
        )
        assert created.get("data"), created
        patient_id = created["data"]["createPatient"]["id"]
        # a refused update still must not echo the input into the log
        _post(
            server,
            token,
            UPDATE,
            id=patient_id,
            input={"email": "not an email " + PATIENT_NAME},
        )
        _post(server, token, SEARCH, q="Quartermaine")
        _post(server, "not-a-token " + PATIENT_EMAIL, SEARCH, q=PATIENT_NAME)

    lines = [line for line in server.output().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]
    text = server.output().lower()
    graphql_lines = [
        e for e in entries if e.get("message", "").startswith("POST /graphql")
    ]
    authenticated = [e for e in graphql_lines if e.get("user_id") == user_id]
    assert PATIENT_NAME.lower() not in text
    assert "quartermaine" not in text
    assert PATIENT_EMAIL not in text
    assert all({"time", "level", "logger", "message"} <= e.keys() for e in entries)
    assert len(graphql_lines) == 4
    assert all(e.get("request_id") for e in graphql_lines)
    assert len(authenticated) == 3
    assert {e.get("operation") for e in authenticated} == {
        "CreateForLogs",
        "UpdateForLogs",
        "SearchForLogs",
    }


def _requests_total(text: str, operation: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "therapybridge_graphql_requests_total"
                and sample.labels.get("operation") == operation
            ):
                total += sample.value
    return total


def test_metrics_add_up_across_two_worker_processes(
    pg: PgServer, tmp_path: Path
) -> None:
    url = pg.create_database("tb_e2e_metrics")
    server = ServerProcess(
        "serve",
        "--no-worker",
        "--workers",
        "2",
        env={
            "DATABASE_URL": url,
            "DATA_DIR": str(tmp_path),
            "ENVIRONMENT": "development",
        },
    )
    with server:
        server.wait_healthy()
        for _ in range(12):
            # a new connection each time, so both processes get some
            httpx.post(f"{server.url}/graphql", json={"query": NAMED}, timeout=30)
        scrapes = [
            httpx.get(f"{server.url}/metrics", timeout=30).text for _ in range(6)
        ]
        metric_files = list((tmp_path / "prometheus").rglob("*.db"))

    assert [_requests_total(s, "ScrapeCheck") for s in scrapes] == [12.0] * 6
    assert len({f.name.rsplit("_", 1)[-1] for f in metric_files}) >= 2
