"""Exports and the start-up clean-up through a real server with its worker."""

from __future__ import annotations

import asyncio
import io
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import create_sessionmaker
from resolvers.ids import encode_id
from settings import Settings
from tests.e2e.server import ServerProcess
from tests.factories import (
    create_notes,
    create_patient,
    create_session,
    create_user,
    token_for,
)

pytestmark = pytest.mark.e2e

EXPORT = """
mutation E2EExport($id: ID!) {
  exportSessionNotes(sessionId: $id, format: PDF, noteFormat: BIRP) { id status }
}
"""
JOB = """
query E2EJob($id: ID!) {
  node(id: $id) { ... on ExportJob { status downloadUrl error } }
}
"""


async def _world(url: str, settings: Settings) -> tuple[str, str, str]:
    engine = create_async_engine(url, poolclass=NullPool)
    async with create_sessionmaker(engine)() as db:
        therapist = await create_user(db, first_name="Katherine", last_name="Johnson")
        other = await create_user(db)
        patient = await create_patient(db, therapist, name="Dorothy Vaughan")
        session = await create_session(db, patient, therapist)
        await create_notes(db, session)
        await db.commit()
    await engine.dispose()
    return (
        token_for(settings, therapist),
        token_for(settings, other),
        encode_id("TherapySession", session.id),
    )


async def _gql(
    client: httpx.AsyncClient, token: str, query: str, **variables: Any
) -> Any:
    r = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    return r.json()


def _job_runs(text: str, task: str) -> float:
    return sum(
        s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name == "therapybridge_jobs_total" and s.labels.get("task") == task
    )


async def test_export_through_the_worker_and_cleanup_on_startup(
    e2e_database_url: str, tmp_path: Path, settings: Settings
) -> None:
    orphan = tmp_path / "storage" / "audio" / "left-behind.mp3"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x" * 10)
    day_ago = time.time() - 48 * 3600
    os.utime(orphan, (day_ago, day_ago))
    server = ServerProcess(
        "serve",
        env={
            "DATABASE_URL": e2e_database_url,
            "DATA_DIR": str(tmp_path),
            "ENVIRONMENT": "development",
            "AUTO_CLEANUP_ON_STARTUP": "true",
        },
    )
    with server:
        server.wait_healthy()
        token, other_token, session_id = await _world(e2e_database_url, settings)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            created = await _gql(client, token, EXPORT, id=session_id)
            job_id = created["data"]["exportSessionNotes"]["id"]
            deadline = time.monotonic() + 60
            job = (await _gql(client, token, JOB, id=job_id))["data"]["node"]
            while (
                job["status"] in ("PENDING", "RUNNING") and time.monotonic() < deadline
            ):
                await asyncio.sleep(0.3)
                job = (await _gql(client, token, JOB, id=job_id))["data"]["node"]
            mine = await client.get(
                job["downloadUrl"], headers={"authorization": f"Bearer {token}"}
            )
            theirs = await client.get(
                f"/exports/{job_id}", headers={"authorization": f"Bearer {other_token}"}
            )
            scrape = (await client.get("/metrics")).text
        orphan_gone = not orphan.exists()

    assert job == {"status": "DONE", "downloadUrl": f"/exports/{job_id}", "error": None}
    assert mine.status_code == 200
    text = " ".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(mine.content)).pages
    )
    assert "Dorothy Vaughan" in text
    assert "Katherine Johnson" in text
    assert "Behavior" in text
    assert "Intervention" in text
    assert theirs.status_code == 404
    assert _job_runs(scrape, "ops.render_export") == 1
    assert orphan_gone
    assert "Dorothy" not in server.output()
