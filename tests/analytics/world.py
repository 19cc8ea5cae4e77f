"""Load a reference World into the database; read the service's figures back
in the same (GraphQL-shaped) dicts the reference produces."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Attendance, Role
from db.models import (
    DEFAULT_PRACTICE_ID,
    Patient,
    PatientTherapist,
    SessionMetrics,
    TherapySession,
    User,
)
from db.queries.analytics import Frame
from services import analytics
from tests.analytics.reference import World
from tests.factories import create_user


async def load(db: AsyncSession, world: World) -> None:
    """Insert the world's patients, assignments and sessions (flushed)."""
    for pid, (archived, therapists) in world.patients.items():
        db.add(
            Patient(
                id=pid,
                name=f"P {pid.hex[:6]}",
                archived_at=world.now if archived else None,
                practice_id=DEFAULT_PRACTICE_ID,
            )
        )
        await db.flush()
        for t in therapists:
            db.add(PatientTherapist(patient_id=pid, therapist_id=t))
    await db.flush()
    for s in world.sessions:
        db.add(
            TherapySession(
                id=s.id,
                patient_id=s.patient_id,
                therapist_id=s.therapist_id,
                session_date=s.at,
                duration_minutes=s.duration,
                attendance=Attendance(s.attendance),
            )
        )
    await db.flush()
    for s in world.sessions:
        if s.topics is not None:
            db.add(
                SessionMetrics(
                    session_id=s.id,
                    therapist_id=s.therapist_id,
                    patient_id=s.patient_id,
                    session_date=s.at,
                    attendance=Attendance(s.attendance),
                    duration_minutes=s.duration,
                    mood_score=s.mood,
                    topics=s.topics,
                )
            )
    await db.flush()


async def therapists(db: AsyncSession, n: int) -> list[User]:
    return [await create_user(db, role=Role.THERAPIST) for _ in range(n)]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def shape(value: Any) -> Any:
    """Dataclasses to camelCase dicts, dates to ISO strings, enums to names."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _camel(f.name): shape(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("patient", "recent_sessions")
        }
    if isinstance(value, list):
        return [shape(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


async def figures(
    db: AsyncSession, world: World, user: User, patient_ids: list[uuid.UUID]
) -> dict[str, Any]:
    """Every analytics figure the service computes for ``user``."""
    frame = Frame(world.tz, world.now)
    out: dict[str, Any] = {"overview": shape(await analytics.overview(db, user, frame))}
    for period in analytics.TrendPeriod:
        for g in analytics.Granularity:
            trends = await analytics.session_trends(db, user, frame, period, g)
            out[f"trends {period} {g}"] = shape(trends)
    for limit, weeks in ((20, 12), (3, 1), (100, 5)):
        topics = await analytics.common_topics(db, user, frame, limit, weeks)
        out[f"topics {limit} {weeks}"] = shape(topics)
    for pid in patient_ids:
        patient = await db.get(Patient, pid)
        assert patient is not None
        for weeks in (12, 1, 5):
            progress = await analytics.patient_progress(db, user, patient, frame, weeks)
            out[f"progress {pid} {weeks}"] = shape(progress)
    return out


def expected(world: World, user: User, patient_ids: list[uuid.UUID]) -> dict[str, Any]:
    """The same figures from the reference implementation."""
    from tests.analytics import reference as ref

    out: dict[str, Any] = {"overview": ref.overview(world, user.id)}
    for period in analytics.TrendPeriod:
        for g in analytics.Granularity:
            out[f"trends {period} {g}"] = ref.session_trends(
                world, user.id, period.value, g.value
            )
    for limit, weeks in ((20, 12), (3, 1), (100, 5)):
        out[f"topics {limit} {weeks}"] = ref.common_topics(world, user.id, limit, weeks)
    for pid in patient_ids:
        for weeks in (12, 1, 5):
            out[f"progress {pid} {weeks}"] = ref.patient_progress(world, pid, weeks)
    return out
