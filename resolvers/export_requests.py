"""Export mutations (services/export_writes.py: each job queued in the
request's own transaction) and the export download's id (GET /exports/{id})."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.types import Info

from db.enums import ExportFormat
from db.models import ExportJob
from resolvers.context import Context
from resolvers.ids import decode_id
from services import export_writes
from services.note_format import NoteFormat


async def export_session_notes(
    info: Info[Context, Any],
    session_id: str,
    fmt: ExportFormat,
    note_format: NoteFormat,
) -> ExportJob:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await export_writes.export_session_notes(info.context, sid, fmt, note_format)


async def export_progress_report(
    info: Info[Context, Any], patient_id: str, fmt: ExportFormat, weeks: int
) -> ExportJob:
    pid = decode_id(patient_id, "Patient", "patientId")
    return await export_writes.export_progress_report(info.context, pid, fmt, weeks)


async def export_my_record(info: Info[Context, Any], fmt: ExportFormat) -> ExportJob:
    return await export_writes.export_my_record(info.context, fmt)


def download_id(raw: str) -> uuid.UUID | None:
    """The export id in /exports/{id} (a global ExportJob id), or None."""
    try:
        return decode_id(raw, "ExportJob")
    except Exception:  # malformed or another type: answered like unknown
        return None
