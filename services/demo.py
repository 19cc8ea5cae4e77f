"""``therapybridge seed-demo``: a demo therapist with a believable practice.

Idempotent: when the demo therapist exists, nothing is added. Randomness is
seeded, so every run produces the same practice relative to today.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import (
    Attendance,
    ConsentKind,
    Mood,
    MoodTrajectory,
    NoteSource,
    Role,
    SessionStatus,
)
from db.models import (
    Patient,
    PatientConsent,
    PatientTherapist,
    Practice,
    SessionMetrics,
    SessionNotes,
    SessionStatusEvent,
    TherapySession,
    TreatmentGoal,
    TreatmentPlan,
    User,
)
from services import demo_data as d
from services.notes import ActionItem, NoteContent, RiskFlag, Strategy

DEMO_EMAIL = "demo.therapist@therapybridge.local"
DEMO_PASSWORD = "Demo-Therapist-2026!"
PAST_DAYS = 182
SESSIONS_PER_PATIENT = 17  # 12 x 17 = 204 past sessions
MOODS = list(Mood)


@dataclass
class DemoResult:
    email: str
    password: str
    created: bool
    patients: int
    past_sessions: int
    upcoming_sessions: int


def _notes(rng: random.Random, topics: list[str], mood: Mood) -> NoteContent:
    strategies = rng.sample(d.STRATEGIES, 2)
    actions = rng.sample(d.ACTIONS, 2)
    risky = mood is Mood.VERY_LOW and rng.random() < 0.5
    return NoteContent(
        key_topics=topics,
        topic_summary=f"The session focused on {' and '.join(topics)}.",
        strategies=[
            Strategy(name=n, category=c, description=t) for n, c, t in strategies
        ],
        action_items=[ActionItem(task=t, category=c) for t, c in actions],
        therapist_notes=f"Client engaged; mood {mood.value.lower().replace('_', ' ')}.",
        patient_summary=f"We talked about {', '.join(topics)} and agreed next steps.",
        risk_flags=[
            RiskFlag(
                type="hopelessness",
                evidence="Expressed hopelessness",
                severity="MEDIUM",
            )
        ]
        if risky
        else [],
    )


async def seed_demo(db: AsyncSession, password_hash: str) -> DemoResult:
    """Create the demo practice once; flushes, the caller commits."""
    existing = await db.scalar(select(User).where(User.email == DEMO_EMAIL))
    if existing is not None:
        return DemoResult(DEMO_EMAIL, DEMO_PASSWORD, False, 0, 0, 0)
    rng = random.Random(20260101)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    # a solo practice: the demo therapist treats and administers it
    practice = Practice(id=uuid.uuid4(), name="Demo practice")
    db.add(practice)
    await db.flush()
    therapist = User(
        email=DEMO_EMAIL,
        password_hash=password_hash,
        first_name="Demo",
        last_name="Therapist",
        role=Role.THERAPIST,
        is_verified=True,
        practice_id=practice.id,
        is_practice_admin=True,
    )
    db.add(therapist)
    await db.flush()
    past = upcoming = 0
    for i, name in enumerate(d.PATIENT_NAMES):
        first = name.split()[0].lower()
        patient = Patient(
            name=name,
            email=f"{first}@demo.therapybridge.local",
            created_by_id=therapist.id,
            created_at=now - timedelta(days=PAST_DAYS + 10),
            practice_id=practice.id,
        )
        db.add(patient)
        await db.flush()
        db.add(PatientTherapist(patient_id=patient.id, therapist_id=therapist.id))
        for kind in ConsentKind:
            db.add(
                PatientConsent(
                    patient_id=patient.id,
                    kind=kind,
                    granted=True,
                    form_version="demo-1",
                    recorded_by_id=therapist.id,
                    recorded_at=patient.created_at,
                )
            )
        focus = rng.sample(d.TOPICS, 4)
        level = rng.randint(1, 3)  # mood index drifts from here
        for n in range(SESSIONS_PER_PATIENT):
            day = (
                PAST_DAYS
                - int(n * PAST_DAYS / SESSIONS_PER_PATIENT)
                - rng.randint(0, 3)
            )
            when = (now - timedelta(days=max(day, 1))).replace(hour=9 + (i % 8))
            level = min(4, max(0, level + rng.choice([-1, 0, 1, 1])))
            attendance = rng.choices(
                [Attendance.COMPLETED, Attendance.CANCELLED, Attendance.NO_SHOW],
                [90, 6, 4],
            )[0]
            past += 1
            await _past_session(
                db,
                rng,
                therapist,
                patient,
                when,
                attendance,
                MOODS[level],
                rng.sample(focus, 2),
            )
        for k in range(1 + i % 2):
            when = (now + timedelta(days=2 + 7 * k + i % 5)).replace(hour=10 + i % 6)
            s = TherapySession(
                patient_id=patient.id,
                therapist_id=therapist.id,
                session_date=when,
                duration_minutes=50,
            )
            db.add(s)
            await db.flush()
            db.add(SessionStatusEvent(session_id=s.id, status=SessionStatus.SCHEDULED))
            upcoming += 1
        await _plan(db, rng, therapist, patient)
    await db.flush()
    return DemoResult(
        DEMO_EMAIL, DEMO_PASSWORD, True, len(d.PATIENT_NAMES), past, upcoming
    )


async def _past_session(
    db: AsyncSession,
    rng: random.Random,
    therapist: User,
    patient: Patient,
    when: datetime,
    attendance: Attendance,
    mood: Mood,
    topics: list[str],
) -> None:
    completed = attendance is Attendance.COMPLETED
    s = TherapySession(
        patient_id=patient.id,
        therapist_id=therapist.id,
        session_date=when,
        duration_minutes=rng.choice([45, 50, 50, 55, 60]) if completed else None,
        attendance=attendance,
        status=SessionStatus.PROCESSED if completed else SessionStatus.SCHEDULED,
        created_at=when,
    )
    db.add(s)
    await db.flush()
    db.add(
        SessionMetrics(
            session_id=s.id,
            therapist_id=therapist.id,
            patient_id=patient.id,
            session_date=when,
            attendance=attendance,
            duration_minutes=s.duration_minutes,
            mood_score=mood.score if completed else None,
            topics=topics if completed else [],
        )
    )
    if not completed:
        return
    content = _notes(rng, topics, mood)
    trajectory = rng.choice(list(MoodTrajectory))
    db.add(
        SessionNotes(
            session_id=s.id,
            version=1,
            source=NoteSource.AI,
            content=content.to_dict(),
            session_mood=mood,
            mood_trajectory=trajectory,
            model="demo-seed",
            created_at=when + timedelta(hours=1),
        )
    )
    previous = None
    for status in (
        SessionStatus.UPLOADING,
        SessionStatus.TRANSCRIBING,
        SessionStatus.TRANSCRIBED,
        SessionStatus.EXTRACTING_NOTES,
        SessionStatus.PROCESSED,
    ):
        db.add(
            SessionStatusEvent(
                session_id=s.id, status=status, previous_status=previous, at=when
            )
        )
        previous = status


async def _plan(
    db: AsyncSession, rng: random.Random, therapist: User, patient: Patient
) -> None:
    plan = TreatmentPlan(
        patient_id=patient.id,
        created_by_id=therapist.id,
        title=f"Treatment plan for {patient.name.split()[0]}",
    )
    db.add(plan)
    await db.flush()
    for pos, goal in enumerate(rng.sample(d.GOALS, 2)):
        db.add(
            TreatmentGoal(
                plan_id=plan.id,
                position=pos,
                description=goal,
                status=rng.choice(["NOT_STARTED", "IN_PROGRESS"]),
                interventions=[rng.choice(d.STRATEGIES)[0]],
            )
        )
