"""Factories for sessions, notes, transcripts and plans used by the graph tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Attendance, Mood, MoodTrajectory, NoteSource, SessionStatus
from db.models import (
    Patient,
    SessionNotes,
    TherapySession,
    Transcript,
    TreatmentGoal,
    TreatmentPlan,
    User,
)
from services.notes import ActionItem, NoteContent, RiskFlag, Strategy
from tests.factories import utc

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


def days(n: int) -> timedelta:
    return timedelta(days=n)
