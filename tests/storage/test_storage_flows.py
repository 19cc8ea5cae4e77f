"""Upload -> transcription, export -> download, clean-up, key rotation and the
file migration, each against a local directory and an S3 bucket (moto)."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import create_app
from db.base import utcnow
from db.encryption import Keyring, set_keyring
from db.enums import ExportFormat, ExportKind, JobStatus, SessionStatus
from db.models import AudioFile, ExportJob, TherapySession
from db.rotation import rotate_phi_key
from resolvers.ids import encode_id
from services import filecrypt, pipeline, retention, storage
from services.export_build import run_export
from services.file_migration import encrypt_plain_files
from services.storage import FileRef
from tests.conftest import Backend
from tests.factories import (
    create_export_job,
    create_notes,
    create_patient,
    create_session,
    create_user,
    token_for,
)
from tests.fake_openai import FakeOpenAI
from tests.storage.test_storage_backends import MARKER, Upload, holds_none_of, wav

C = filecrypt.CHUNK


def never(exc: BaseException) -> bool:
    return False


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


async def test_uploaded_audio_is_stored_encrypted_and_transcribed_decrypted(
    backend: Backend,
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    fake: FakeOpenAI,
) -> None:
    fake.configure()
    s = backend.settings.model_copy(
        update={"openai_base_url": fake.base_url, "openai_api_key": "k"}
    )
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    audio = wav(C + 999)

    ts = await pipeline.create_from_upload(
        db, s, therapist, patient.id, Upload(audio), None, None
    )
    await db.commit()
    await pipeline.run_transcription(session_factory, s, ts.id, never)

    row = await db.get(TherapySession, ts.id, populate_existing=True)
    assert row is not None
    assert row.status is SessionStatus.TRANSCRIBED
    (key,) = backend.keys()
    raw = backend.raw(key)
    assert MARKER not in raw
    assert holds_none_of(raw, audio)
    sent = [c for c in fake.calls() if c["endpoint"] == "transcriptions"]
    assert [c["sha256"] for c in sent] == [hashlib.sha256(audio).hexdigest()]


async def test_damaged_audio_fails_the_session_saying_so(
    backend: Backend,
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    fake: FakeOpenAI,
) -> None:
    fake.configure()
    s = backend.settings.model_copy(
        update={"openai_base_url": fake.base_url, "openai_api_key": "k"}
    )
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    ts = await pipeline.create_from_upload(
        db, s, therapist, patient.id, Upload(wav(5000)), None, None
    )
    await db.commit()
    (key,) = backend.keys()
    backend.replace(key, backend.raw(key)[:-1])

    await pipeline.run_transcription(session_factory, s, ts.id, never)

    row = await db.get(TherapySession, ts.id, populate_existing=True)
    assert row is not None
    assert row.status is SessionStatus.FAILED
    assert "damaged" in (row.error_message or "")
    assert not [c for c in fake.calls() if c["endpoint"] == "transcriptions"]


async def _export_job(db: AsyncSession) -> tuple[ExportJob, Any]:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist, name="Dorothy Vaughan")
    visit = await create_session(db, patient, therapist)
    await create_notes(db, visit)
    job = await create_export_job(
        db,
        therapist,
        patient.id,
        visit.id,
        format=ExportFormat.DOCX,
        status=JobStatus.PENDING,
        params={"note_format": "SOAP"},
        created_at=utcnow(),
    )
    await db.commit()
    return job, therapist


async def test_exports_are_stored_encrypted_and_stream_back_or_fail_whole(
    backend: Backend,
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    s = backend.settings
    job, therapist = await _export_job(db)
    await run_export(session_factory, s, job.id)
    await db.refresh(job)
    app = create_app(s, session_factory=session_factory)
    auth = {"authorization": f"Bearer {token_for(s, therapist)}"}
    url = f"/exports/{encode_id('ExportJob', job.id)}"
    assert job.storage_key is not None

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        good = await client.get(url, headers=auth)
        raw = backend.raw(job.storage_key)
        # a first chunk that fails: 500 before any header or byte
        backend.replace(job.storage_key, raw[:-3])
        damaged = await client.get(url, headers=auth)
        # a long file cut at a chunk boundary: the body fails mid-stream
        big = os.urandom(3 * C)
        job.file_key = await storage.put_bytes(s, job.storage_key, big)
        await db.commit()
        cut = backend.raw(job.storage_key)[: len(filecrypt.HEADER) + 2 * (C + 28)]
        backend.replace(job.storage_key, cut)
        with pytest.raises(storage.DamagedFile):
            await client.get(url, headers=auth)

    assert good.status_code == 200
    assert good.content.startswith(b"PK")  # a DOCX (zip)
    assert good.headers["content-length"] == str(len(good.content))
    assert not raw.startswith(b"PK")
    assert holds_none_of(raw, good.content)
    assert b"Dorothy" not in raw
    assert damaged.status_code == 500
    assert damaged.json()["code"] == "INTERNAL_SERVER_ERROR"


async def test_cleanup_dry_run_then_real_run_remove_orphans_and_interrupted_uploads(
    backend: Backend, db: AsyncSession
) -> None:
    s = backend.settings
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    visit = await create_session(db, patient, therapist)
    live = await storage.save_upload(s, Upload(wav(3000)))
    db.add(
        AudioFile(
            session_id=visit.id,
            filename="a.wav",
            content_type="audio/wav",
            size_bytes=live.size_bytes,
            storage_key=live.key,
            file_key=live.file_key,
        )
    )
    orphan = await storage.save_upload(s, Upload(wav(2000)))
    await storage.put_bytes(s, "exports/no-row.pdf", b"%PDF report")
    await db.flush()
    _interrupted_upload(backend)
    later = utcnow() + timedelta(hours=s.orphaned_file_retention_hours + 1)

    dry = await retention.cleanup_audio(db, s, dry_run=True, now=later)
    before_real = backend.keys()
    real = await retention.cleanup_audio(db, s, dry_run=False, now=later)
    soon = await retention.cleanup_audio(db, s, dry_run=True)

    doomed = {orphan.key, "exports/no-row.pdf"}
    assert set(dry.keys) == doomed
    assert before_real == doomed | {live.key}
    assert real.keys == dry.keys
    assert real.errors == []
    assert real.bytes_freed == dry.bytes_freed > 0
    assert backend.keys() == {live.key}
    assert backend.unfinished_uploads() == 0
    assert soon.keys == []


def _interrupted_upload(backend: Backend) -> None:
    """What a killed process leaves: an unfinished multipart upload with a
    part, or a partial file written long ago."""
    if backend.moto is None:
        part = backend.settings.storage_path / "audio" / "x.wav.1234abcd.part"
        part.write_bytes(b"half")
        old = utcnow().timestamp() - 3600
        os.utime(part, (old, old))
    else:
        s3 = backend.moto.client()
        bucket = backend.settings.s3_bucket
        up = s3.create_multipart_upload(Bucket=bucket, Key="audio/killed.wav")
        s3.upload_part(
            Bucket=bucket,
            Key="audio/killed.wav",
            UploadId=up["UploadId"],
            PartNumber=1,
            Body=b"x" * 100,
        )
    assert backend.unfinished_uploads() == 1


async def test_rotation_rewraps_file_keys_without_rewriting_files(
    backend: Backend,
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    s = backend.settings
    old, new = os.urandom(32), os.urandom(32)
    set_keyring(Keyring(old))
    try:
        stored = await storage.save_upload(s, Upload(wav(4000)))
        row = AudioFile(
            filename="a.wav",
            content_type="audio/wav",
            size_bytes=stored.size_bytes,
            storage_key=stored.key,
            file_key=stored.file_key,
        )
        db.add(row)
        await db.commit()
        raw = backend.raw(stored.key)
        keyring = Keyring(new, [old])
        set_keyring(keyring)

        report = await rotate_phi_key(session_factory, keyring)
        set_keyring(Keyring(new))  # the old key is gone
        async with session_factory() as fresh:
            again = await fresh.get(AudioFile, row.id)
            assert again is not None
            plain = b"".join([p async for p in storage.read(s, FileRef.of(again))])
    finally:
        set_keyring(None)

    assert report.rotated["audio_files.file_key"] >= 1
    assert backend.raw(stored.key) == raw
    assert plain == wav(4000)


async def test_the_migration_encrypts_plain_files_resumably(
    backend: Backend,
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    s = backend.settings
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    plain_audio, plain_export = wav(C + 10), b"%PDF-1.4 Dorothy Vaughan " * 100
    # files as the server wrote them before encryption: plain, on local disk
    key = f"audio/{uuid.uuid4().hex}.wav"
    (s.storage_path / "audio").mkdir(parents=True)
    (s.storage_path / key).write_bytes(plain_audio)
    s.exports_path.mkdir(parents=True)
    legacy = s.exports_path / "old.pdf"
    legacy.write_bytes(plain_export)
    audio = AudioFile(
        filename="a.wav",
        content_type="audio/wav",
        size_bytes=len(plain_audio),
        storage_key=key,
        encrypted=False,
    )
    job = ExportJob(
        requested_by_id=therapist.id,
        patient_id=patient.id,
        kind=ExportKind.PROGRESS_REPORT,
        format=ExportFormat.PDF,
        status=JobStatus.DONE,
        storage_key="old.pdf",
        encrypted=False,
        expires_at=utcnow() + timedelta(days=1),
    )
    db.add_all([audio, job])
    await db.commit()

    first = await encrypt_plain_files(session_factory, s)
    raw_audio = backend.raw(key)
    # a run that stopped after writing: the marker says the file is done
    await db.execute(
        update(AudioFile).where(AudioFile.id == audio.id).values(encrypted=False)
    )
    await db.commit()
    second = await encrypt_plain_files(session_factory, s)
    third = await encrypt_plain_files(session_factory, s)

    await db.refresh(audio)
    await db.refresh(job)
    assert (first.encrypted, second.encrypted, third.encrypted) == (2, 1, 0)
    assert backend.raw(key) == raw_audio  # not encrypted twice
    assert MARKER not in raw_audio
    assert holds_none_of(raw_audio, plain_audio)
    assert job.storage_key == "exports/old.pdf"
    assert job.encrypted
    assert b"Dorothy" not in backend.raw("exports/old.pdf")
    assert not legacy.exists()
    if backend.moto is not None:
        assert not (s.storage_path / key).exists()  # the plain copy is gone
    got_audio = b"".join([p async for p in storage.read(s, FileRef.of(audio))])
    got_export = b"".join([p async for p in storage.read(s, FileRef.of(job))])
    assert (got_audio, got_export) == (plain_audio, plain_export)
