"""Reading a patient's progress: the figures (services/analytics.py) on the
practice's clock, and the READ audit of what the query selected on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from db.enums import AuditAction
from db.models import Patient, TherapySession
from db.queries.analytics import Frame
from services import analytics
from services.analytics_types import PatientProgress
from services.reads import Reader, record_reads
from settings import Settings

__all__ = ["Frame", "frame_now", "patient_progress", "recent_sessions"]


def frame_now(settings: Settings) -> Frame:
    """Now, in the practice's time zone (weeks and days start there)."""
    return Frame(settings.scheduler_timezone, datetime.now(UTC))


async def patient_progress(
    reader: Reader,
    settings: Settings,
    patient: Patient,
    weeks: int,
    fields: Sequence[str],
) -> PatientProgress:
    """``patient`` is already scoped to the caller; ``fields`` are the names
    selected on the progress (all of it is the patient's record)."""
    user = reader.require_user()
    db = reader.db
    result = await analytics.patient_progress(
        db, user, patient, frame_now(settings), weeks
    )
    reader.audit(AuditAction.READ, "PatientProgress", patient.id, patient.id, fields)
    return result


def recent_sessions(
    reader: Reader, progress: PatientProgress, fields: Sequence[str]
) -> list[TherapySession]:
    rows = progress.recent_sessions
    if rows:
        read = [(s.id, s.patient_id) for s in rows]
        record_reads(reader, "TherapySession", read, fields)
    return rows
