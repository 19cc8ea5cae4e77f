"""Reading practices, their members and invitations, a patient's consents and
the actors of audit events, each under the caller's scoping (the per-request
loaders of db/loaders/practices.py and the queries of db/queries/practices.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from db.loaders import (
    Actor,
    AuditActorByIdLoader,
    ConsentsByPatientIdLoader,
    PracticeByIdLoader,
)
from db.models import Invitation, Patient, PatientConsent, Practice, User
from db.queries import practices as q
from db.queries.scoping import readable_invitation
from services import practices
from services.practices import TherapistActivity
from services.reads import Reader

# Actor (db/loaders/practices.py): who did something, a name and a role
__all__ = [
    "Actor",
    "audit_actor",
    "consents",
    "forget_consents",
    "invitation_by_id",
    "invitations_of",
    "members",
    "own_practice",
    "practice_by_id",
    "therapist_activity",
]


async def practice_by_id(reader: Reader, practice_id: uuid.UUID) -> Practice | None:
    return await reader.loader(PracticeByIdLoader).load(practice_id)


async def own_practice(reader: Reader, user: User) -> Practice | None:
    """The practice of an account a request without a caller signed in
    (signup, login, refresh, acceptInvitation, verifyEmail): its own only."""
    return await q.get_practice(reader.db, user.practice_id)


async def therapist_activity(
    reader: Reader, days: int | None
) -> list[TherapistActivity]:
    """``analytics.practiceTherapists``: the administrator's practice, the
    last ``days`` (30 by default) up to now."""
    return await practices.therapist_activity(
        reader.db,
        reader.require_user(),
        datetime.now(UTC),
        30 if days is None else days,
    )


async def members(reader: Reader, practice: Practice) -> list[User]:
    return await q.members_of(reader.db, reader.require_user(), practice.id)


async def invitations_of(reader: Reader, practice: Practice) -> list[Invitation]:
    return await q.invitations_of(reader.db, reader.require_user(), practice.id)


async def invitation_by_id(
    reader: Reader, invitation_id: uuid.UUID
) -> Invitation | None:
    return await readable_invitation(reader.db, reader.require_user(), invitation_id)


async def consents(reader: Reader, patient: Patient) -> list[PatientConsent]:
    return await reader.loader(ConsentsByPatientIdLoader).load(patient.id)


def forget_consents(reader: Reader, patient: Patient) -> None:
    """After recording a consent: the answer's consents must include it."""
    reader.loader(ConsentsByPatientIdLoader).clear(patient.id)


async def audit_actor(reader: Reader, actor_id: uuid.UUID | None) -> Actor | None:
    if actor_id is None:
        return None
    return await reader.loader(AuditActorByIdLoader).load(actor_id)
