"""The test factories, in one place: ``create_<thing>(db, **overrides)``
(practices, users, patients, therapy sessions, notes, transcripts, plans,
export jobs),
flushed, not committed; plus ``token_for``, ``utc`` and ``days``."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import (
    Attendance,
    ConsentKind,
    ExportFormat,
    ExportKind,
    JobStatus,
    Mood,
    MoodTrajectory,
    NoteSource,
    Role,
    SessionStatus,
)
from db.models import (
    DEFAULT_PRACTICE_ID,
    ExportJob,
    Patient,
    PatientConsent,
    PatientTherapist,
    Practice,
    SessionNotes,
    TherapySession,
    Transcript,
    TreatmentGoal,
    TreatmentPlan,
    User,
)
from services.notes import ActionItem, NoteContent, RiskFlag, Strategy
from services.tokens import create_access_token
from settings import Settings

_seq = itertools.count(1)

# argon2 hash of "Correct-Horse-9!" made once, so factories stay fast
DEFAULT_PASSWORD = "Correct-Horse-9!"


def _password_hash() -> str:
    from passlib.hash import argon2

    global _HASH
    if _HASH is None:
        _HASH = argon2.using(rounds=1, memory_cost=1024).hash(DEFAULT_PASSWORD)
    return _HASH


_HASH: str | None = None


async def create_practice(db: AsyncSession, name: str | None = None) -> Practice:
    """A practice of its own (users and patients default to the migration's
    Default practice)."""
    practice = Practice(name=name or f"Practice {next(_seq)}")
    db.add(practice)
    await db.flush()
    return practice


async def create_user(
    db: AsyncSession, practice: Practice | None = None, **overrides: Any
) -> User:
    n = next(_seq)
    values: dict[str, Any] = {
        "practice_id": practice.id if practice else DEFAULT_PRACTICE_ID,
        "email": f"user{n}@example.test",
        "password_hash": _password_hash(),
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "role": Role.THERAPIST,
        "is_verified": True,
        "is_active": True,
    }
    values.update(overrides)
    user = User(**values)
    db.add(user)
    await db.flush()
    return user


async def create_patient(
    db: AsyncSession,
    therapist: User | None = None,
    *,
    consents: bool = True,
    **overrides: Any,
) -> Patient:
    """A patient of the therapist's practice; ``consents`` records RECORDING
    and AI_PROCESSING consent (REQUIRE_CONSENT is on in tests too)."""
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"Patient {n}",
        "email": f"p{n}@example.test",
        "practice_id": therapist.practice_id if therapist else DEFAULT_PRACTICE_ID,
    }
    values.update(overrides)
    patient = Patient(**values)
    db.add(patient)
    await db.flush()
    if therapist is not None:
        db.add(PatientTherapist(patient_id=patient.id, therapist_id=therapist.id))
    if consents:
        for kind in ConsentKind:
            db.add(
                PatientConsent(
                    patient_id=patient.id,
                    kind=kind,
                    granted=True,
                    form_version="test-1",
                    recorded_by_id=therapist.id if therapist else None,
                )
            )
    await db.flush()
    return patient


def token_for(settings: Settings, user: User) -> str:
    return create_access_token(settings, user.id, user.role)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


NOTE_CONTENT = NoteContent(
    key_topics=["sleep", "work stress"],
    topic_summary="Discussed sleep problems linked to deadlines.",
    strategies=[
        Strategy(
            name="Sleep hygiene",
            category="behavioral",
            description="Fixed bedtime, no screens after 22:00",
        )
    ],
    action_items=[ActionItem(task="Keep a sleep diary", category="homework")],
    therapist_notes="Engaged; mild anxiety about performance review.",
    patient_summary="We talked about your sleep and made a plan.",
    risk_flags=[RiskFlag(type="self_harm", evidence="none stated", severity="LOW")],
)


async def create_session(
    db: AsyncSession,
    patient: Patient,
    therapist: User,
    when: datetime | None = None,
    **overrides: Any,
) -> TherapySession:
    values: dict[str, Any] = {
        "patient_id": patient.id,
        "therapist_id": therapist.id,
        "session_date": when or utc(2026, 1, 5, 10),
        "duration_minutes": 50,
        "attendance": Attendance.COMPLETED,
        "status": SessionStatus.PROCESSED,
    }
    values.update(overrides)
    row = TherapySession(**values)
    db.add(row)
    await db.flush()
    return row


async def create_notes(
    db: AsyncSession, session: TherapySession, version: int = 1, **overrides: Any
) -> SessionNotes:
    values: dict[str, Any] = {
        "session_id": session.id,
        "version": version,
        "source": NoteSource.AI,
        "content": NOTE_CONTENT.to_dict(),
        "session_mood": Mood.NEUTRAL,
        "mood_trajectory": MoodTrajectory.STABLE,
        "model": "gpt-test",
    }
    values.update(overrides)
    row = SessionNotes(**values)
    db.add(row)
    await db.flush()
    return row


async def create_transcript(
    db: AsyncSession, session: TherapySession, text: str = "Hello."
) -> Transcript:
    row = Transcript(
        session_id=session.id,
        text=text,
        segments=[{"start": 0.0, "end": 1.5, "speaker": "A", "text": text}],
        language="en",
    )
    db.add(row)
    await db.flush()
    return row


async def create_plan(
    db: AsyncSession, patient: Patient, title: str = "Plan"
) -> TreatmentPlan:
    plan = TreatmentPlan(patient_id=patient.id, title=title)
    db.add(plan)
    await db.flush()
    db.add(
        TreatmentGoal(
            plan_id=plan.id,
            position=0,
            description="Sleep 7 hours",
            interventions=["CBT-I"],
        )
    )
    await db.flush()
    return plan


async def create_export_job(
    db: AsyncSession,
    requester: User,
    patient_id: uuid.UUID,
    session_id: uuid.UUID | None = None,
    **overrides: Any,
) -> ExportJob:
    """A PDF export, DONE: of a session's notes when ``session_id`` is given,
    otherwise a progress report."""
    values: dict[str, Any] = {
        "requested_by_id": requester.id,
        "patient_id": patient_id,
        "session_id": session_id,
        "kind": ExportKind.SESSION_NOTES if session_id else ExportKind.PROGRESS_REPORT,
        "format": ExportFormat.PDF,
        "status": JobStatus.DONE,
    }
    values.update(overrides)
    row = ExportJob(**values)
    db.add(row)
    await db.flush()
    return row


def days(n: int) -> timedelta:
    return timedelta(days=n)
