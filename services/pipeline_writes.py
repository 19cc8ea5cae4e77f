"""The mutations of the processing pipeline, as one call each: the consent
they need, the write (services/pipeline.py, services/speakers.py), its audit
event and the job that continues the session, queued in the request's own
transaction (services/writes.py says what a use-case does)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from db.enums import AuditAction, ConsentKind, SpeakerRole
from db.models import TherapySession, Transcript
from services import consent, enqueue, pipeline, speakers
from services.writes import Writer

# consents each mutation needs (REQUIRE_CONSENT): recording an upload, and
# sending anything to the AI provider
AI = ConsentKind.AI_PROCESSING
UPLOAD = (ConsentKind.RECORDING, ConsentKind.AI_PROCESSING)


async def _enqueue(writer: Writer, session_id: uuid.UUID, stage: str) -> None:
    # in the request's transaction: the job commits with the session, or
    # neither does (services/enqueue.py says why not after commit)
    await enqueue.session_stage(writer.db, stage, session_id)


async def upload_session_audio(
    writer: Writer,
    patient_id: uuid.UUID,
    audio: Any,
    session_date: datetime | None,
    session_id: uuid.UUID | None,
) -> TherapySession:
    """A session from uploaded audio (or its audio for a scheduled session),
    transcribed by a job."""
    user = writer.require_user()
    db, settings = writer.db, writer.settings
    await consent.require_for_patient(db, settings, user, patient_id, *UPLOAD)
    row = await pipeline.create_from_upload(
        db, settings, user, patient_id, audio, session_date, session_id
    )
    fields = ["audio"]
    writer.audit(AuditAction.CREATE, "TherapySession", row.id, row.patient_id, fields)
    await _enqueue(writer, row.id, "transcribe")
    return row


async def create_session_from_transcript(
    writer: Writer,
    patient_id: uuid.UUID,
    transcript: str,
    session_date: datetime | None,
) -> TherapySession:
    """A session from a pasted transcript, its notes extracted by a job."""
    user = writer.require_user()
    db = writer.db
    await consent.require_for_patient(db, writer.settings, user, patient_id, AI)
    row = await pipeline.create_from_transcript(
        db, user, patient_id, transcript, session_date
    )
    writer.audit(
        AuditAction.CREATE,
        "TherapySession",
        row.id,
        row.patient_id,
        ["transcript"],
    )
    await _enqueue(writer, row.id, "extract")
    return row


async def retry_session(writer: Writer, session_id: uuid.UUID) -> TherapySession:
    """A FAILED session continued from the stage it failed in."""
    user = writer.require_user()
    db = writer.db
    await consent.require_for_session(db, writer.settings, user, session_id, AI)
    row, stage = await pipeline.retry(db, user, session_id)
    fields = ["status"]
    writer.audit(AuditAction.UPDATE, "TherapySession", row.id, row.patient_id, fields)
    await _enqueue(writer, row.id, stage)
    return row


async def extract_notes(writer: Writer, session_id: uuid.UUID) -> TherapySession:
    """The session's notes extracted again from its transcript."""
    user = writer.require_user()
    db = writer.db
    await consent.require_for_session(db, writer.settings, user, session_id, AI)
    row = await pipeline.request_extraction(db, user, session_id)
    fields = ["notes"]
    writer.audit(AuditAction.UPDATE, "TherapySession", row.id, row.patient_id, fields)
    await _enqueue(writer, row.id, "extract")
    return row


async def set_speaker_roles(
    writer: Writer, session_id: uuid.UUID, roles: list[tuple[str, SpeakerRole]]
) -> TherapySession:
    user = writer.require_user()
    row, transcript = await speakers.set_roles(writer.db, user, session_id, roles)
    return _segments_changed(writer, row, transcript)


async def swap_speaker_roles(writer: Writer, session_id: uuid.UUID) -> TherapySession:
    user = writer.require_user()
    row, transcript = await speakers.swap_roles(writer.db, user, session_id)
    return _segments_changed(writer, row, transcript)


def _segments_changed(
    writer: Writer, row: TherapySession, transcript: Transcript
) -> TherapySession:
    # a change of speaker roles is an update of the transcript's segments
    audit_fields = ["segments"]
    writer.audit(
        AuditAction.UPDATE, "Transcript", transcript.id, row.patient_id, audit_fields
    )
    return row
