"""Helpers for the pipeline end-to-end tests: accounts in the server's
database, a multipart upload client, a graphql-transport-ws subscriber."""

from __future__ import annotations

import asyncio
import io
import json
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import create_sessionmaker
from settings import Settings
from tests.factories import create_patient, create_user, token_for


def wav(seconds: float, rate: int = 8000, tone: int = 0) -> bytes:
    """A real WAV recording (silence, or a square wave of ``tone`` Hz), so the
    fake OpenAI server can read its duration as the real API decodes it."""
    frames = int(seconds * rate)
    if tone:
        period = max(2, rate // tone)
        one = b"".join(
            (8000 if (i % period) < period // 2 else -8000).to_bytes(
                2, "little", signed=True
            )
            for i in range(period)
        )
        pcm = (one * (frames // period + 1))[: frames * 2]
    else:
        pcm = b"\x00\x00" * frames
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()


# 12.5 s of audio (the name is historical: the uploads' file name says .mp3,
# the stored file is typed by its bytes)
MP3 = wav(12.5)

UPLOAD = """
mutation Upload($patientId: ID!, $audio: Upload!) {
  uploadSessionAudio(patientId: $patientId, audio: $audio) { id status }
}
"""
SESSION = """
query Session($id: ID!) {
  session(id: $id) {
    status errorMessage
    transcript { text segments { start end text } }
    notes { version keyTopics sessionMood model }
    events { status previousStatus }
  }
}
"""
SUBSCRIBE = """
subscription Changes($sessionId: ID) {
  sessionStatusChanged(sessionId: $sessionId) {
    status previousStatus errorMessage session { id status }
  }
}
"""
FINAL = {"PROCESSED", "FAILED"}


@dataclass
class Account:
    token: str
    patient_id: str
    other_token: str


async def make_account(database_url: str) -> Account:
    """A therapist with one patient, and another therapist, committed."""
    from resolvers.ids import encode_id

    settings = Settings(environment="test", database_url=database_url)
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with create_sessionmaker(engine)() as db:
            therapist = await create_user(db)
            other = await create_user(db)
            patient = await create_patient(db, therapist)
            await db.commit()
            return Account(
                token=token_for(settings, therapist),
                patient_id=encode_id("Patient", patient.id),
                other_token=token_for(settings, other),
            )
    finally:
        await engine.dispose()


def pipeline_env(
    database_url: str, data_dir: Path, fake_url: str, **extra: str
) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "STORAGE_DIR": str(data_dir / "storage"),
        "ENVIRONMENT": "development",
        "OPENAI_BASE_URL": fake_url,
        "OPENAI_API_KEY": "test-key",
        "OPENAI_MAX_RETRIES": "0",
        "OPENAI_TIMEOUT": "60",
        "JOB_RETRY_BASE_SECONDS": "1",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_STALLED_SECONDS": "3",
        "MAX_UPLOAD_MB": "1",
        **extra,
    }


async def upload(
    base_url: str,
    token: str,
    patient_id: str,
    content: bytes,
    filename: str = "session.mp3",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    operations = {
        "query": UPLOAD,
        "variables": {"patientId": patient_id, "audio": None},
    }
    hdrs = {"authorization": f"Bearer {token}", "apollo-require-preflight": "true"}
    if headers is not None:
        hdrs = {"authorization": f"Bearer {token}", **headers}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(
            f"{base_url}/graphql",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["variables.audio"]}),
            },
            files={"0": (filename, content, "application/octet-stream")},
            headers=hdrs,
        )


async def query(base_url: str, token: str, doc: str, **variables: Any) -> Any:
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(
            f"{base_url}/graphql",
            json={"query": doc, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    return r.json()


async def wait_status(
    base_url: str, token: str, session_id: str, wanted: set[str], within: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        body = await query(base_url, token, SESSION, id=session_id)
        session: dict[str, Any] = body["data"]["session"]
        if session["status"] in wanted or time.monotonic() > deadline:
            return session
        await asyncio.sleep(0.3)


@dataclass
class Subscriber:
    """A graphql-transport-ws client collecting sessionStatusChanged events."""

    base_url: str
    token: str
    session_id: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    async def start(self) -> Subscriber:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._ready.wait(), 15)
        return self

    async def _run(self) -> None:
        url = self.base_url.replace("http://", "ws://") + "/graphql"
        try:
            async with websockets.connect(
                url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
            ) as ws:
                await ws.send(
                    json.dumps(
                        {
                            "type": "connection_init",
                            "payload": {"authorization": f"Bearer {self.token}"},
                        }
                    )
                )
                ack = json.loads(await ws.recv())
                assert ack["type"] == "connection_ack"
                variables = {"sessionId": self.session_id} if self.session_id else {}
                await ws.send(
                    json.dumps(
                        {
                            "id": "1",
                            "type": "subscribe",
                            "payload": {"query": SUBSCRIBE, "variables": variables},
                        }
                    )
                )
                # give the server a moment to register the subscription
                await asyncio.sleep(0.5)
                self._ready.set()
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] == "next":
                        self.events.append(message["payload"])
                    elif message["type"] in ("error", "complete"):
                        self.events.append(message)
                        return
        except websockets.ConnectionClosed as exc:
            self.close_code = exc.rcvd.code if exc.rcvd else None
        finally:
            self._ready.set()

    def statuses(self) -> list[str]:
        return [
            e["data"]["sessionStatusChanged"]["status"]
            for e in self.events
            if e.get("data")
        ]

    async def wait_for(self, status: str, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if status in self.statuses():
                return
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
