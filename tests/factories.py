"""Factories: ``create_<thing>(session, **overrides)``, flushed, not committed."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ConsentKind, Role
from db.models import (
    DEFAULT_PRACTICE_ID,
    Patient,
    PatientConsent,
    PatientTherapist,
    Practice,
    User,
)
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
