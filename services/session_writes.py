"""The mutations of therapy sessions and their notes, as one call each: the
write (services/sessions.py), its audit event and, for a deletion, removing
the stored audio once the deletion committed (services/writes.py says what a
use-case does)."""

from __future__ import annotations

import uuid
from datetime import datetime

from db.enums import Attendance, AuditAction
from db.models import SessionNotes, TherapySession
from services import sessions
from services.sessions import NoteChanges
from services.writes import Writer


async def schedule_session(
    writer: Writer, patient_id: uuid.UUID, when: datetime, duration: int | None
) -> TherapySession:
    user = writer.require_user()
    row = await sessions.schedule_session(writer.db, user, patient_id, when, duration)
    fields = ["sessionDate", "durationMinutes"]
    writer.audit(AuditAction.CREATE, "TherapySession", row.id, row.patient_id, fields)
    return row


async def set_attendance(
    writer: Writer, session_id: uuid.UUID, attendance: Attendance
) -> TherapySession:
    user = writer.require_user()
    row = await sessions.set_attendance(writer.db, user, session_id, attendance)
    writer.audit(
        AuditAction.UPDATE,
        "TherapySession",
        row.id,
        row.patient_id,
        ["attendance"],
    )
    return row


async def delete_session(writer: Writer, session_id: uuid.UUID) -> bool:
    """The session and its rows; its stored audio goes once this commits (a
    file removed before a failed commit could not be brought back)."""
    user = writer.require_user()
    row, storage_key = await sessions.delete_session(writer.db, user, session_id)
    writer.audit(AuditAction.DELETE, "TherapySession", row.id, row.patient_id)
    if storage_key is not None:
        key, settings = storage_key, writer.settings

        async def remove_file() -> None:
            await sessions.remove_stored_file(settings, key)

        writer.after_commit(remove_file)
    return True


async def update_notes(
    writer: Writer, session_id: uuid.UUID, changes: NoteChanges
) -> SessionNotes:
    """A new version of the session's notes (source THERAPIST)."""
    fields = changes.fields_set()
    user = writer.require_user()
    row = await sessions.update_notes(writer.db, user, session_id, changes)
    patient_id = await sessions.patient_of_notes(writer.db, row)
    writer.audit(AuditAction.CREATE, "SessionNotes", row.id, patient_id, fields)
    return row
