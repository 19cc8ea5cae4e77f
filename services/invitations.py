"""Invitations: the only way into a practice when sign-up is closed.

A practice's administrators invite anyone (THERAPIST, ADMIN or PATIENT); a
therapist invites only their own patients (role PATIENT, with the patient
record they are assigned to). The mailed token is random, single use, expires
after INVITATION_EXPIRE_HOURS and is stored only as its SHA-256 (like email
verification). Accepting it creates a verified account in the practice and,
for a PATIENT invitation, links the patient record to it.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Role
from db.models import Invitation, Patient, User
from db.queries import practices as pq
from db.queries.scoping import readable_patient
from db.queries.users import get_user_by_email
from services import accounts
from services.errors import BadInput, Conflict, Forbidden, NotFound
from settings import Settings

INVALID = "This invitation link is invalid, expired or already used"


async def _invited_patient(
    db: AsyncSession, inviter: User, patient_id: uuid.UUID
) -> Patient:
    """The record a PATIENT invitation links: one the inviter's practice holds
    (an administrator) or one they are assigned to (a therapist)."""
    if inviter.administers_practice:
        patient = await pq.practice_patient(db, inviter.practice_id, patient_id)
    else:
        patient = await readable_patient(db, inviter, patient_id)
    if patient is None:
        raise NotFound("Patient")
    if patient.user_id is not None:
        raise Conflict("The patient already has an account", field="patientId")
    return patient


async def invite_user(
    db: AsyncSession,
    settings: Settings,
    inviter: User,
    email: str,
    role: Role,
    patient_id: uuid.UUID | None,
) -> tuple[Invitation, str]:
    """A new invitation (flushed) and its token, to be mailed after commit."""
    if inviter.role is Role.PATIENT:
        raise Forbidden("Patients cannot invite")
    if not inviter.administers_practice and role is not Role.PATIENT:
        raise Forbidden("Therapists invite their own patients only")
    address = accounts.normalize_email(email)
    patient = None
    if role is Role.PATIENT:
        # an administrator may invite a patient account to link later; a
        # therapist invites a patient of theirs, so names the record
        if patient_id is None and not inviter.administers_practice:
            raise BadInput("patientId", "A PATIENT invitation names the patient")
        if patient_id is not None:
            patient = await _invited_patient(db, inviter, patient_id)
    elif patient_id is not None:
        raise BadInput("patientId", "Only a PATIENT invitation names a patient")
    if await get_user_by_email(db, address) is not None:
        raise Conflict("An account with this email already exists", field="email")
    now = utcnow()
    await pq.revoke_pending_invitations(db, inviter.practice_id, address, now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        id=uuid.uuid4(),
        practice_id=inviter.practice_id,
        email=address,
        role=role,
        patient_id=patient.id if patient else None,
        invited_by_id=inviter.id,
        token_hash=accounts.hash_token(token),
        created_at=now,
        expires_at=now + timedelta(hours=settings.invitation_expire_hours),
    )
    db.add(invitation)
    await db.flush()
    return invitation, token


async def accept_invitation(
    db: AsyncSession,
    token: str,
    password: str,
    first_name: str,
    last_name: str,
) -> tuple[User, Invitation]:
    """Create the invited, verified account (and link its patient record);
    BAD_USER_INPUT for an unknown, expired, used or replaced token."""
    invitation = await pq.invitation_by_hash(db, accounts.hash_token(token))
    now = utcnow()
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise BadInput("token", INVALID)
    data = accounts.NewUser(
        invitation.email, password, first_name, last_name, invitation.role
    )
    patient = None
    if invitation.patient_id is not None:
        patient = await pq.practice_patient(
            db, invitation.practice_id, invitation.patient_id
        )
        if patient is None:
            raise BadInput("token", INVALID)
        if patient.user_id is not None:
            raise Conflict("The patient already has an account", field="token")
    user = await accounts.register_user(
        db, data, practice_id=invitation.practice_id, verified=True
    )
    if patient is not None:
        patient.user_id = user.id
    invitation.accepted_at = now
    await db.flush()
    return user, invitation
