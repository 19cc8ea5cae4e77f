"""Export mutations and the export download (GET /exports/{id})."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.types import Info

from db.enums import ExportFormat
from db.models import ExportJob
from resolvers.audit import AuditAction, audit
from resolvers.context import Context
from resolvers.ids import decode_id
from services import enqueue, exports
from services.note_format import NoteFormat


async def _enqueue(ctx: Context, job: ExportJob) -> None:
    # in the request's transaction: no export row is ever left without its job
    await enqueue.export(ctx.db, job.id)


async def export_session_notes(
    info: Info[Context, Any],
    session_id: str,
    fmt: ExportFormat,
    note_format: NoteFormat,
) -> ExportJob:
    ctx = info.context
    sid = decode_id(session_id, "TherapySession", "sessionId")
    job = await exports.request_session_notes(
        ctx.db,
        ctx.session_factory,
        ctx.settings,
        ctx.require_user(),
        sid,
        fmt,
        note_format,
    )
    audit(
        ctx, AuditAction.CREATE, "ExportJob", job.id, job.patient_id, ["sessionNotes"]
    )
    await _enqueue(ctx, job)
    return job


async def export_progress_report(
    info: Info[Context, Any], patient_id: str, fmt: ExportFormat, weeks: int
) -> ExportJob:
    ctx = info.context
    pid = decode_id(patient_id, "Patient", "patientId")
    job = await exports.request_progress_report(
        ctx.db,
        ctx.session_factory,
        ctx.settings,
        ctx.require_user(),
        pid,
        fmt,
        weeks,
    )
    audit(
        ctx, AuditAction.CREATE, "ExportJob", job.id, job.patient_id, ["progressReport"]
    )
    await _enqueue(ctx, job)
    return job


async def export_my_record(info: Info[Context, Any], fmt: ExportFormat) -> ExportJob:
    ctx = info.context
    job = await exports.request_patient_record(
        ctx.db, ctx.session_factory, ctx.settings, ctx.require_user(), fmt
    )
    audit(
        ctx, AuditAction.CREATE, "ExportJob", job.id, job.patient_id, ["patientRecord"]
    )
    await _enqueue(ctx, job)
    return job


def download_id(raw: str) -> uuid.UUID | None:
    """The export id in /exports/{id} (a global ExportJob id), or None."""
    try:
        return decode_id(raw, "ExportJob")
    except Exception:  # malformed or another type: answered like unknown
        return None
