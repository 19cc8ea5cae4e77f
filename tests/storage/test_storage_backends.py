"""The storage interface against both backends: a local directory and a real
S3 HTTP endpoint (moto). What lies in the store is ciphertext only, a refused
or interrupted upload leaves nothing, damage is detected and logged."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import time
import wave
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import create_app
from db.models import TherapySession
from resolvers.ids import encode_id
from services import filecrypt, storage
from services.errors import BadInput
from services.storage import FileRef
from settings import Settings
from tests.conftest import Backend
from tests.factories import create_patient, create_user, token_for
from tests.s3 import free_port

C = filecrypt.CHUNK
MARKER = b"PATIENT-VOICE-MARKER "


def wav(size: int) -> bytes:
    """A real WAV of ``size`` bytes (even sizes; 8 kHz 16-bit mono) whose
    samples are MARKER repeated: it decodes as audio (the fake OpenAI server
    refuses what does not) and shows plainly if it is stored unencrypted."""
    frames = (size - 44) // 2
    body = (MARKER * (2 * frames // len(MARKER) + 1))[: 2 * frames]
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(body)
    return out.getvalue()


class Upload:
    def __init__(self, data: bytes, name: str = "s.wav") -> None:
        self.filename = name
        self.file: Any = io.BytesIO(data)


def holds_none_of(raw: bytes, plain: bytes) -> bool:
    """No 32-byte window of ``plain`` (sampled every 4 KiB) occurs in ``raw``."""
    windows = {plain[i : i + 32] for i in range(0, max(1, len(plain) - 32), 4096)}
    return all(w not in raw for w in windows)


async def test_files_round_trip_and_the_store_holds_only_ciphertext(
    backend: Backend,
) -> None:
    s = backend.settings
    audio = wav(2 * C + 12345)
    report = b"Session notes for Dorothy Vaughan: panic attacks at work. " * 300

    stored = await storage.save_upload(s, Upload(audio))
    file_key = await storage.put_bytes(s, "exports/r.pdf", report)

    raw_audio, raw_report = backend.raw(stored.key), backend.raw("exports/r.pdf")
    assert backend.keys() == {stored.key, "exports/r.pdf"}
    assert MARKER not in raw_audio
    # the header, not "anywhere": 4 given bytes occur by chance in about one
    # 2 MB ciphertext in 2,000
    assert not raw_audio.startswith(b"RIFF")
    assert holds_none_of(raw_audio, audio)
    assert b"Dorothy" not in raw_report
    assert holds_none_of(raw_report, report)
    assert stored.size_bytes == len(audio)
    ref = FileRef(stored.key, stored.file_key)
    assert b"".join([p async for p in storage.read(s, ref)]) == audio
    async with storage.open_local(s, ref) as path:
        assert path.read_bytes() == audio
        assert path.parent.stat().st_mode & 0o077 == 0  # private to the server
    assert not path.exists()
    opened = await storage.open_stream(s, FileRef("exports/r.pdf", file_key))
    assert opened is not None
    assert opened.size == len(report)
    assert b"".join([p async for p in opened.body()]) == report
    assert backend.unfinished_uploads() == 0


async def test_refused_failed_and_cancelled_uploads_leave_nothing(
    backend: Backend,
) -> None:
    s = backend.settings.model_copy(update={"max_upload_mb": 12})

    class Failing(io.BytesIO):
        # the client's body breaks off after more than one S3 part
        def read(self, n: int | None = -1) -> bytes:
            if self.tell() > 10 * C:
                raise OSError("connection reset")
            return super().read(n)

    class Slow(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            time.sleep(0.02)
            return super().read(n)

    with pytest.raises(BadInput) as too_big:
        await storage.save_upload(s, Upload(wav(13 * C)))
    failing = Upload(b"")
    failing.file = Failing(wav(11 * C))
    with pytest.raises(OSError, match="connection reset"):
        await storage.save_upload(s, failing)
    slow = Upload(b"")
    slow.file = Slow(wav(12 * C))
    task = asyncio.create_task(storage.save_upload(s, slow))
    while slow.file.tell() < 10 * C:  # noqa: ASYNC110 (a thread reads the file)
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert too_big.value.field == "audio"
    assert backend.keys() == set()
    assert backend.unfinished_uploads() == 0


async def _read_into(s: Settings, ref: FileRef, got: list[bytes]) -> Exception | None:
    try:
        async for piece in storage.read(s, ref):
            got.append(piece)
    except Exception as exc:
        return exc
    return None


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def test_damaged_and_truncated_objects_are_refused_and_logged(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    s = backend.settings
    data = os.urandom(3 * C)
    file_key = await storage.put_bytes(s, "exports/d.pdf", data)
    raw = backend.raw("exports/d.pdf")
    ref = FileRef("exports/d.pdf", file_key)
    step = C + filecrypt.OVERHEAD
    head = len(filecrypt.HEADER)
    flipped = bytearray(raw)
    flipped[head + step + 100] ^= 0x01  # inside the second chunk

    for damaged in (bytes(flipped), raw[: head + 2 * step], raw[:-5]):
        backend.replace("exports/d.pdf", damaged)
        got: list[bytes] = []
        with caplog.at_level(logging.ERROR, "therapybridge.storage"):
            failure = await _read_into(s, ref, got)
        assert isinstance(failure, storage.DamagedFile)
        # what was yielded before the damage was authenticated plaintext
        assert b"".join(got) == data[: len(b"".join(got))]
    backend.replace("exports/d.pdf", b"%PDF-1.7 not ours")
    with pytest.raises(storage.DamagedFile):
        await storage.open_stream(s, ref)

    logged = [r.getMessage() for r in caplog.records]
    assert any("exports/d.pdf" in m and "authentication failed" in m for m in logged)
    assert any("not an encrypted object" in m for m in logged)


async def test_an_unreachable_store_fails_the_health_check_and_stores_nothing(
    settings: Settings,
    tmp_path: Path,
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    down = settings.model_copy(
        update={
            "storage_backend": "s3",
            "s3_endpoint_url": f"http://127.0.0.1:{free_port()}",
            "s3_bucket": "tb-nowhere",
            "s3_access_key_id": "k",
            "s3_secret_access_key": SecretStr("s"),
            "s3_connect_timeout": 1.0,
            "storage_dir": tmp_path,
        }
    )
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    await db.commit()
    app = create_app(down, session_factory=session_factory)
    operations = {
        "query": "mutation U($p: ID!, $a: Upload!) "
        "{ uploadSessionAudio(patientId: $p, audio: $a) { id } }",
        "variables": {"p": encode_id("Patient", patient.id), "a": None},
    }
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            health = await client.get("/health")
            refused = await client.post(
                "/graphql",
                data={
                    "operations": json.dumps(operations),
                    "map": json.dumps({"0": ["variables.a"]}),
                },
                files={"0": ("s.wav", wav(C), "audio/wav")},
                headers={
                    "authorization": f"Bearer {token_for(down, therapist)}",
                    "apollo-require-preflight": "true",
                },
            )
    finally:
        await storage.close_stores()
    rows = await db.scalar(
        select(func.count())
        .select_from(TherapySession)
        .where(TherapySession.patient_id == patient.id)
    )

    assert health.status_code == 503
    assert health.json()["storage"] == "unavailable"
    assert health.json()["database"] == "ok"
    error = refused.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "reason": "storage"}
    assert "storage is unavailable" in error["message"]
    assert rows == 0
    assert _files(tmp_path) == []
