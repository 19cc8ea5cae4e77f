"""Practices, invitations, consent and the admin's therapist figures."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.types import Info

from db.enums import ConsentKind, Role
from db.models import Invitation, Patient, PatientConsent, Practice, User
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.users import user_node
from services import (
    account_writes,
    patient_writes,
    practice_reads,
    practice_writes,
    practices,
)
from services.auth import AuthTokens
from services.errors import Unauthenticated
from services.practice_reads import Actor

Ctx = Info[Context, Any]


async def my_practice(ctx: Context) -> Practice | None:
    # like `me`: null without a token, UNAUTHENTICATED for a refused one
    if ctx.auth_error:
        raise Unauthenticated(ctx.auth_error)
    if ctx.user is None:
        return None
    return await practice_reads.practice_by_id(ctx, ctx.user.practice_id)


async def practice_of_user(ctx: Context, user: User) -> Practice | None:
    if ctx.user is None:
        # a request without a caller returns only the account it signed in
        # (signup, login, refresh, acceptInvitation, verifyEmail): its own
        return await practice_reads.own_practice(ctx, user)
    return await practice_reads.practice_by_id(ctx, user.practice_id)


async def members(ctx: Context, practice: Practice) -> list[User]:
    return await practice_reads.members(ctx, practice)


async def invitations_of(ctx: Context, practice: Practice) -> list[Invitation]:
    return await practice_reads.invitations_of(ctx, practice)


async def practice_node(ctx: Context, practice_id: uuid.UUID) -> Practice | None:
    ctx.require_user()
    return await practice_reads.practice_by_id(ctx, practice_id)


async def invitation_node(ctx: Context, invitation_id: uuid.UUID) -> Invitation | None:
    return await practice_reads.invitation_by_id(ctx, invitation_id)


async def invite_user(
    ctx: Context, email: str, role: Role, patient_id: str | None
) -> Invitation:
    ctx.require_user()  # UNAUTHENTICATED before a malformed patientId, as ever
    pid = decode_id(patient_id, "Patient", "patientId") if patient_id else None
    return await practice_writes.invite_user(ctx, email, role, pid)


async def accept_invitation(
    ctx: Context, token: str, password: str, first_name: str, last_name: str
) -> AuthTokens:
    return await account_writes.accept_invitation(
        ctx, token, password, first_name, last_name
    )


async def record_consent(
    ctx: Context,
    patient_id: str,
    kind: ConsentKind,
    granted: bool,
    form_version: str | None,
) -> Patient:
    pid = decode_id(patient_id, "Patient", "patientId")
    return await patient_writes.record_consent(ctx, pid, kind, granted, form_version)


async def consents(ctx: Context, patient: Patient) -> list[PatientConsent]:
    return await practice_reads.consents(ctx, patient)


async def consent_recorder(ctx: Context, row: PatientConsent) -> User | None:
    if row.recorded_by_id is None:
        return None
    return await user_node(ctx, row.recorded_by_id)


async def audit_actor(ctx: Context, actor_id: uuid.UUID | None) -> Actor | None:
    return await practice_reads.audit_actor(ctx, actor_id)


async def therapist_activity(
    info: Ctx, days: int | None
) -> list[practices.TherapistActivity]:
    return await practice_reads.therapist_activity(info.context, days)
