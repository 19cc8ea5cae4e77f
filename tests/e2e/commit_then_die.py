"""Run as ``python -m tests.e2e.commit_then_die TOKEN PATIENT_ID``: upload a
session's audio through the real app and its unit of work, and SIGKILL this
process the moment the request's transaction has committed, before any
after-commit hook could run (what a crash, an OOM kill or a power cut does).
Settings come from the environment, as for ``therapybridge serve``."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import Any

import httpx

import schema.extensions as unit_of_work
from app import create_app
from db.engine import create_engine, create_sessionmaker
from settings import get_settings
from tests.e2e.pipeline_helpers import MP3, UPLOAD


async def _die(ctx: Any, committed: bool) -> None:
    if committed:
        sys.stdout.write("committed\n")
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)


async def main(token: str, patient_id: str) -> None:
    unit_of_work.run_after_commit = _die
    settings = get_settings()
    assert settings.database_url
    engine = create_engine(settings, settings.database_url)
    app = create_app(settings, session_factory=create_sessionmaker(engine))
    operations = {
        "query": UPLOAD,
        "variables": {"patientId": patient_id, "audio": None},
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        response = await client.post(
            "/graphql",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["variables.audio"]}),
            },
            files={"0": ("session.mp3", MP3, "application/octet-stream")},
            headers={
                "authorization": f"Bearer {token}",
                "apollo-require-preflight": "true",
            },
        )
    # only reached when nothing committed
    sys.stdout.write(f"not committed: {response.text}\n")
    sys.exit(3)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
