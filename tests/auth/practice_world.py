"""Test world: two practices, each with an admin, a therapist (and one who administers
it), patients with sessions and notes, and a linked PATIENT account."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Role
from db.models import ExportJob, Patient, Practice, TherapySession, User
from settings import Settings
from tests.factories import (
    create_export_job,
    create_notes,
    create_patient,
    create_practice,
    create_session,
    create_user,
    token_for,
)


@dataclass
class Clinic:
    practice: Practice
    admin: User
    founder: User  # a THERAPIST who administers the practice
    therapist: User
    patient_user: User
    patient: Patient
    session: TherapySession
    export: ExportJob
    users: list[User] = field(default_factory=list)

    def token(self, settings: Settings, who: str) -> str:
        user: Any = getattr(self, who)
        return token_for(settings, user)


async def make_clinic(db: AsyncSession, name: str) -> Clinic:
    practice = await create_practice(db, name)
    admin = await create_user(db, practice, role=Role.ADMIN)
    founder = await create_user(db, practice, is_practice_admin=True)
    therapist = await create_user(db, practice)
    patient_user = await create_user(db, practice, role=Role.PATIENT)
    patient = await create_patient(db, therapist, user_id=patient_user.id)
    await create_patient(db, founder)
    session = await create_session(db, patient, therapist)
    await create_notes(db, session)
    export = await create_export_job(
        db, therapist, patient.id, expires_at=utcnow().replace(year=2100)
    )
    users = [admin, founder, therapist, patient_user]
    return Clinic(
        practice,
        admin,
        founder,
        therapist,
        patient_user,
        patient,
        session,
        export,
        users,
    )
