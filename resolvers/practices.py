"""Practices, invitations, consent and the admin's therapist figures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from strawberry.types import Info

from db.enums import ConsentKind, Role
from db.models import Invitation, Patient, PatientConsent, Practice, User
from resolvers.audit import AuditAction, audit
from resolvers.auth import client_of
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.users import user_node
from services import consent, invitations, mail, practice_reads, practices
from services.auth import AuthTokens, issue_tokens
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
        return await practice_reads.own_practice(ctx.db, user)
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
    inviter = ctx.require_user()
    pid = decode_id(patient_id, "Patient", "patientId") if patient_id else None
    row, token = await invitations.invite_user(
        ctx.db, ctx.settings, inviter, email, role, pid
    )
    audit(
        ctx, AuditAction.CREATE, "Invitation", row.id, row.patient_id, ["email", "role"]
    )
    practice = await practices.practice_of(ctx.db, inviter)
    settings, invitation_id, to = ctx.settings, str(row.id), row.email
    names = (practice.name, inviter.full_name)

    async def send() -> None:
        mail.in_background(
            mail.send_invitation(settings, invitation_id, to, *names, token)
        )

    ctx.after_commit(send)
    return row


async def accept_invitation(
    ctx: Context, token: str, password: str, first_name: str, last_name: str
) -> AuthTokens:
    user, row = await invitations.accept_invitation(
        ctx.db, token, password, first_name, last_name
    )
    audit(
        ctx,
        AuditAction.CREATE,
        "User",
        user.id,
        row.patient_id,
        ["invitation"],
        actor_id=user.id,
    )
    return await issue_tokens(ctx.db, ctx.settings, user, client_of(ctx))


async def record_consent(
    ctx: Context,
    patient_id: str,
    kind: ConsentKind,
    granted: bool,
    form_version: str | None,
) -> Patient:
    pid = decode_id(patient_id, "Patient", "patientId")
    patient, row = await consent.record_consent(
        ctx.db, ctx.require_user(), pid, kind, granted, form_version
    )
    fields = [kind.value, "granted" if granted else "withdrawn"]
    audit(ctx, AuditAction.CREATE, "Consent", row.id, patient.id, fields)
    # the answer's consents must include this row: reload them
    practice_reads.forget_consents(ctx, patient)
    return patient


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
    ctx = info.context
    return await practices.therapist_activity(
        ctx.db, ctx.require_user(), datetime.now(UTC), 30 if days is None else days
    )
