"""The mutations of clinical review, as one call each: signing a session's
notes, an addendum to signed notes (services/signing.py), acknowledging a
risk alert (services/alerts.py), each with its audit event
(services/writes.py says what a use-case does)."""

from __future__ import annotations

import uuid

from db.enums import AuditAction
from db.models import RiskAlert, SessionNotes
from services import alerts, sessions, signing
from services.writes import Writer


async def sign_notes(writer: Writer, session_id: uuid.UUID) -> SessionNotes:
    notes = await signing.sign_notes(writer.db, writer.require_user(), session_id)
    patient_id = await sessions.patient_of_notes(writer.db, notes)
    writer.audit(
        AuditAction.SIGN,
        "SessionNotes",
        notes.id,
        patient_id,
        ["signedAt", "signedBy"],
    )
    return notes


async def add_addendum(
    writer: Writer, session_id: uuid.UUID, text: str
) -> SessionNotes:
    user = writer.require_user()
    notes = await signing.add_addendum(writer.db, user, session_id, text)
    patient_id = await sessions.patient_of_notes(writer.db, notes)
    writer.audit(AuditAction.CREATE, "NoteAddendum", notes.id, patient_id, ["text"])
    return notes


async def acknowledge_alert(
    writer: Writer, alert_id: uuid.UUID, note: str | None
) -> RiskAlert:
    row = await alerts.acknowledge(writer.db, writer.require_user(), alert_id, note)
    fields = ["status", "acknowledgedAt", "acknowledgementNote"]
    writer.audit(AuditAction.UPDATE, "RiskAlert", row.id, row.patient_id, fields)
    return row
