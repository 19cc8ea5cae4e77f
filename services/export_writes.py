"""The export mutations, as one call each: the request (services/exports.py),
its audit event and the rendering job, queued in the request's own
transaction so no export row is ever left without its job
(services/writes.py says what a use-case does)."""

from __future__ import annotations

import uuid

from db.enums import AuditAction, ExportFormat
from db.models import ExportJob
from services import enqueue, exports
from services.note_format import NoteFormat
from services.writes import Writer


async def _audited_and_queued(writer: Writer, job: ExportJob, what: str) -> ExportJob:
    writer.audit(AuditAction.CREATE, "ExportJob", job.id, job.patient_id, [what])
    # in the request's transaction: the job commits with its row, or neither
    await enqueue.export(writer.db, job.id)
    return job


async def export_session_notes(
    writer: Writer, session_id: uuid.UUID, fmt: ExportFormat, note_format: NoteFormat
) -> ExportJob:
    job = await exports.request_session_notes(
        writer.db,
        writer.session_factory,
        writer.settings,
        writer.require_user(),
        session_id,
        fmt,
        note_format,
    )
    return await _audited_and_queued(writer, job, "sessionNotes")


async def export_progress_report(
    writer: Writer, patient_id: uuid.UUID, fmt: ExportFormat, weeks: int
) -> ExportJob:
    job = await exports.request_progress_report(
        writer.db,
        writer.session_factory,
        writer.settings,
        writer.require_user(),
        patient_id,
        fmt,
        weeks,
    )
    return await _audited_and_queued(writer, job, "progressReport")


async def export_my_record(writer: Writer, fmt: ExportFormat) -> ExportJob:
    """A PATIENT's export of their own record."""
    job = await exports.request_patient_record(
        writer.db, writer.session_factory, writer.settings, writer.require_user(), fmt
    )
    return await _audited_and_queued(writer, job, "patientRecord")
