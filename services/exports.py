"""Exports: requesting them (rate-limited, one PENDING row, the job enqueued
after commit by the caller), downloading them (own, finished, unexpired,
audited) and deleting expired files."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.enums import ExportFormat, ExportKind, JobStatus, Role
from db.models import ExportJob, User
from db.queries import export_files as q
from db.queries import patients as pq
from db.queries import sessions as sq
from services import storage
from services.access import patient_or_not_found, session_or_not_found
from services.audit import AuditAction, AuditRecord, write_events
from services.errors import BadInput, Forbidden, NotFound
from services.note_format import NoteFormat
from services.ratelimit import Limit, enforce_limits
from services.storage import FileRef
from settings import Settings

log = logging.getLogger("therapybridge.exports")

MEDIA_TYPES = {
    ExportFormat.PDF: "application/pdf",
    ExportFormat.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
}
WINDOW_SECONDS = 3600


def _clinician(user: User) -> None:
    # a PATIENT may not see therapist notes or risk flags, which exports carry
    if user.role is Role.PATIENT:
        raise Forbidden()


async def _count_export(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, user: User
) -> None:
    limit = Limit(f"export:{user.id}", settings.exports_per_hour, WINDOW_SECONDS)
    await enforce_limits(session_factory, [limit])


async def request_session_notes(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    user: User,
    session_id: uuid.UUID,
    fmt: ExportFormat,
    note_format: NoteFormat,
) -> ExportJob:
    """A PENDING export of a session's latest notes (flushed, not committed)."""
    _clinician(user)
    row = await session_or_not_found(db, user, session_id)
    if await sq.latest_notes(db, session_id) is None:
        raise BadInput("sessionId", "This session has no notes to export yet")
    await _count_export(session_factory, settings, user)
    return await _create(
        db,
        user,
        ExportKind.SESSION_NOTES,
        fmt,
        row.patient_id,
        row.id,
        {"note_format": note_format.value},
    )


async def request_progress_report(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    user: User,
    patient_id: uuid.UUID,
    fmt: ExportFormat,
    weeks: int,
) -> ExportJob:
    """A PENDING progress report export of a readable patient."""
    _clinician(user)
    if not 1 <= weeks <= 104:
        raise BadInput("weeks", "weeks must be between 1 and 104")
    await patient_or_not_found(db, user, patient_id)
    await _count_export(session_factory, settings, user)
    return await _create(
        db,
        user,
        ExportKind.PROGRESS_REPORT,
        fmt,
        patient_id,
        None,
        {"weeks": weeks},
    )


async def request_patient_record(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    user: User,
    fmt: ExportFormat,
) -> ExportJob:
    """A PENDING export of the PATIENT caller's own record (what the PATIENT
    role may read: never therapist notes, transcripts or risk flags)."""
    if user.role is not Role.PATIENT:
        raise Forbidden("This export is for patients: use exportProgressReport")
    patient = await pq.patient_linked_to(db, user.id)
    if patient is None or patient.practice_id != user.practice_id:
        raise NotFound("Patient")
    await _count_export(session_factory, settings, user)
    return await _create(db, user, ExportKind.PATIENT_RECORD, fmt, patient.id, None, {})


async def _create(
    db: AsyncSession,
    user: User,
    kind: ExportKind,
    fmt: ExportFormat,
    patient_id: uuid.UUID,
    session_id: uuid.UUID | None,
    params: dict[str, Any],
) -> ExportJob:
    job = ExportJob(
        requested_by_id=user.id,
        patient_id=patient_id,
        session_id=session_id,
        kind=kind,
        format=fmt,
        status=JobStatus.PENDING,
        params=params,
        created_at=utcnow(),
    )
    db.add(job)
    await db.flush()
    return job


@dataclass
class Download:
    ref: FileRef
    media_type: str
    filename: str


async def open_download(
    db: AsyncSession,
    settings: Settings,
    user: User,
    job_id: uuid.UUID,
    request_id: str | None,
    ip_address: str | None,
) -> Download | None:
    """The caller's own finished, unexpired export, with an EXPORT audit event
    added to the session; None for anything else (the caller answers 404).
    The caller opens the file (``storage.open_stream``) and commits the event
    once its first chunk is authenticated, before any byte is sent."""
    now = utcnow()
    job = await q.downloadable_export(db, user, job_id, now)
    if job is None or job.storage_key is None or not job.encrypted:
        return None  # (not yet encrypted: `migrate` moves it into the store)
    event = AuditRecord(
        id=uuid.uuid4(),
        at=now,
        actor_id=user.id,
        action=AuditAction.EXPORT,
        entity_type="ExportJob",
        entity_id=job.id,
        patient_id=job.patient_id,
        fields=(job.kind.value,),
        request_id=request_id or None,
        ip_address=ip_address,
    )
    await write_events(db, [event])
    stamp = job.created_at.strftime("%Y%m%d")
    kind = {
        ExportKind.SESSION_NOTES: "session-notes",
        ExportKind.PATIENT_RECORD: "my-record",
    }.get(job.kind, "progress")
    name = f"therapybridge-{kind}-{stamp}.{job.storage_key.rsplit('.', 1)[-1]}"
    return Download(FileRef.of(job), MEDIA_TYPES[job.format], name)


async def delete_expired(
    db: AsyncSession, settings: Settings, now: datetime | None = None
) -> int:
    """Delete the files of expired exports; the job rows stay (without a file)."""
    now = now or utcnow()
    jobs = await q.expired_exports(db, now)
    for job in jobs:
        if job.storage_key and job.encrypted:
            await storage.delete(settings, job.storage_key)
        elif job.storage_key:  # written before the store: under DATA_DIR/exports
            await asyncio.to_thread(_unlink, settings.exports_path / job.storage_key)
        job.storage_key = None
        job.file_key = None
    await db.flush()
    if jobs:
        log.info("deleted %d expired export files", len(jobs))
    return len(jobs)


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
