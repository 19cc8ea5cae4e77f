"""The PATIENT's export of their own record: what that role may read and
nothing else. Each session's patient summary, action items and key topics, and
the progress figures; never therapist notes, transcripts or risk flags (this
module reads none of them)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models import ExportJob, User
from db.queries import practices as q
from db.queries.analytics import Frame
from db.queries.scoping import readable_patient
from services import analytics
from services.analytics_types import PatientProgress
from services.export_render import Block, Document
from services.notes import NoteContent
from settings import Settings

MAX_SESSIONS = 500
WEEKS = 12


class Gone(Exception):
    """What an export job exports is no longer readable by its requester."""


def _day(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d")


async def patient_record(
    db: AsyncSession, settings: Settings, requester: User, job: ExportJob
) -> Document:
    patient = await readable_patient(db, requester, job.patient_id)
    if patient is None:  # unlinked since the request
        raise Gone()
    frame = Frame(settings.scheduler_timezone, utcnow())
    progress = await analytics.patient_progress(db, requester, patient, frame, WEEKS)
    blocks = [
        Block("heading", f"Progress over the last {WEEKS} weeks"),
        Block(
            "bullets",
            items=progress_summary(progress)
            + [f"Topic: {t.topic} ({t.frequency})" for t in progress.common_topics],
        ),
    ]
    rows = await q.sessions_with_latest_notes(db, requester, patient.id, MAX_SESSIONS)
    for ts, notes in rows:
        content = NoteContent.from_dict(notes.content)
        blocks.append(Block("heading", f"Session of {_day(ts.session_date)}"))
        if content.patient_summary:
            blocks.append(Block("text", content.patient_summary))
        if content.key_topics:
            blocks.append(Block("text", "Topics: " + ", ".join(content.key_topics)))
        items = [
            item.task + (f": {item.details}" if item.details else "")
            for item in content.action_items
        ]
        if items:
            blocks.append(Block("bullets", items=items))
    if not rows:
        blocks.append(Block("text", "No session summaries yet."))
    return Document(
        title="My record",
        header=[("Patient", patient.name), ("Exported", _day(utcnow()))],
        blocks=blocks,
    )


def progress_summary(progress: PatientProgress) -> list[str]:
    """The bullets both the patient's record and the therapist's progress
    report (services/export_build.py) open with."""
    trend = progress.mood_trend
    return [
        f"Sessions: {progress.total_sessions}",
        f"Attendance rate: {progress.attendance_rate:.0%}",
        f"Current mood: {words(trend.current)}",
        f"Mood trajectory: {words(trend.trajectory)}",
    ]


def words(value: object | None) -> str:
    """An enum (or any value) in words: ``VERY_LOW`` -> "Very low"."""
    if value is None:
        return "n/a"
    return str(getattr(value, "value", value)).replace("_", " ").capitalize()
