"""Reading analytics: the practice's figures and a patient's progress
(services/analytics.py) on the practice's clock, for therapists and admins
only (``analytics.practice_owner``), and the READ audit of what the query
selected on a patient's progress."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from db.enums import AuditAction
from db.models import Patient, TherapySession
from db.queries.analytics import Frame
from services import analytics
from services.access import patient_or_not_found
from services.analytics import Granularity, TrendPeriod
from services.analytics_types import (
    CommonTopic,
    PatientProgress,
    PracticeOverview,
    SessionTrends,
)
from services.reads import Reader, record_reads
from settings import Settings

__all__ = [
    "Frame",
    "common_topics",
    "frame_now",
    "overview",
    "patient_progress",
    "patient_progress_by_id",
    "recent_sessions",
    "session_trends",
]


def frame_now(settings: Settings) -> Frame:
    """Now, in the practice's time zone (weeks and days start there)."""
    return Frame(settings.scheduler_timezone, datetime.now(UTC))


async def overview(reader: Reader, settings: Settings) -> PracticeOverview:
    user = analytics.practice_owner(reader.require_user())
    return await analytics.overview(reader.db, user, frame_now(settings))


async def session_trends(
    reader: Reader,
    settings: Settings,
    period: TrendPeriod,
    granularity: Granularity,
) -> SessionTrends:
    user = analytics.practice_owner(reader.require_user())
    frame = frame_now(settings)
    return await analytics.session_trends(reader.db, user, frame, period, granularity)


async def common_topics(
    reader: Reader, settings: Settings, limit: int, weeks: int
) -> list[CommonTopic]:
    user = analytics.practice_owner(reader.require_user())
    frame = frame_now(settings)
    return await analytics.common_topics(reader.db, user, frame, limit, weeks)


async def patient_progress_by_id(
    reader: Reader,
    settings: Settings,
    patient_id: uuid.UUID,
    weeks: int,
    fields: Sequence[str],
) -> PatientProgress:
    """``analytics.patientProgress``: one patient the caller may read, else
    NOT_FOUND."""
    user = analytics.practice_owner(reader.require_user())
    analytics.check_range("weeks", weeks, 1, 104)
    patient = await patient_or_not_found(reader.db, user, patient_id)
    return await patient_progress(reader, settings, patient, weeks, fields)


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
