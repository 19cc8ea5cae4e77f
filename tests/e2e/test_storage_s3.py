"""Real server processes on an S3 bucket (moto's S3 server): upload, process
and export; the bucket holds ciphertext only; a restarted server still serves
the export; the clean-up runs against the bucket. (An unreachable store is
the subject of tests/storage/test_storage_backends.py, in process.)"""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import create_sessionmaker
from db.enums import Role
from settings import Settings
from tests.e2e.pipeline_helpers import (
    MP3,
    make_account,
    pipeline_env,
    query,
    upload,
    wait_status,
)
from tests.e2e.server import ServerProcess
from tests.factories import create_user, token_for
from tests.fake_openai import FakeOpenAI
from tests.s3 import MotoS3

pytestmark = pytest.mark.e2e

EXPORT = """
mutation X($id: ID!) { exportSessionNotes(sessionId: $id, format: PDF) { id } }
"""
JOB = "query J($id: ID!) { node(id: $id) { ... on ExportJob { status downloadUrl } } }"
CLEANUP = """
mutation C($dry: Boolean) { cleanupAudio(dryRun: $dry) { dryRun filesDeleted errors } }
"""


def _serve(env: dict[str, str]) -> ServerProcess:
    server = ServerProcess("serve", env=env).start()
    server.wait_healthy(90)
    return server


async def _admin_token(url: str) -> str:
    engine = create_async_engine(url, poolclass=NullPool)
    async with create_sessionmaker(engine)() as db:
        admin = await create_user(db, role=Role.ADMIN)
        await db.commit()
    await engine.dispose()
    return token_for(Settings(environment="test"), admin)


async def _done(base: str, token: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = (await query(base, token, JOB, id=job_id))["data"]["node"]
        if job["status"] not in ("PENDING", "RUNNING") or time.monotonic() > deadline:
            return job
        await asyncio.sleep(0.3)


async def _get(url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(url, headers=headers)


def _pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


async def test_a_server_on_a_bucket_stores_ciphertext_and_survives_a_restart(
    e2e_database_url: str, tmp_path: Path, moto_s3: MotoS3
) -> None:
    fake = FakeOpenAI().start()
    bucket = f"tb-fresh-{uuid.uuid4().hex[:12]}"  # created by the server
    env = pipeline_env(e2e_database_url, tmp_path, fake.base_url, **moto_s3.env(bucket))
    server = _serve(env)
    try:
        health = await _get(f"{server.url}/health")
        account = await make_account(e2e_database_url)
        created = await upload(server.url, account.token, account.patient_id, MP3)
        sid = created.json()["data"]["uploadSessionAudio"]["id"]
        processed = await wait_status(
            server.url, account.token, sid, {"PROCESSED", "FAILED"}
        )
        made = await query(server.url, account.token, EXPORT, id=sid)
        job = await _done(
            server.url, account.token, made["data"]["exportSessionNotes"]["id"]
        )
        auth = {"authorization": f"Bearer {account.token}"}
        first = await _get(server.url + job["downloadUrl"], auth)
    finally:
        server.stop()
        fake.stop()
    s3 = moto_s3.client()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    raw = {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}

    server = _serve(env)  # a fresh process: nothing but the bucket and the rows
    try:
        again = await _get(server.url + job["downloadUrl"], auth)
        admin = await _admin_token(e2e_database_url)
        dry = await query(server.url, admin, CLEANUP, dry=True)
        real = await query(server.url, admin, CLEANUP, dry=False)
        after = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    finally:
        server.stop()

    assert health.json()["storage"] == "ok"
    assert processed["status"] == "PROCESSED"
    assert sorted(k.split("/")[0] for k in keys) == ["audio", "exports"]
    assert first.status_code == 200
    assert first.content.startswith(b"%PDF")
    for blob in raw.values():
        assert MP3[:64] not in blob
        assert not blob.startswith(b"%PDF")  # 4 bytes anywhere: by chance, now and then
        assert first.content[:256] not in blob
    assert again.status_code == 200
    assert again.content == first.content
    assert "Patient" in _pdf_text(again.content)
    assert dry["data"]["cleanupAudio"] == {
        "dryRun": True,
        "filesDeleted": 0,
        "errors": [],
    }
    assert real["data"]["cleanupAudio"]["errors"] == []
    assert sorted(after) == sorted(keys)  # nothing live was deleted
