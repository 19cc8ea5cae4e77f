"""Root fields of practices: the caller's practice, invitations, consent and
the patient's own export."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from db.enums import ConsentKind, ExportFormat, Role
from resolvers import export_requests
from resolvers import practices as resolve
from resolvers.context import Context
from schema.types.auth import AuthPayloadRow
from schema.types.export_job import ExportJobRow
from schema.types.patient import PatientRow
from schema.types.practice import InvitationRow, PracticeRow


@strawberry.type
class PracticeQuery:
    @strawberry.field(description="The caller's practice; null when signed out.")
    async def practice(self, info: Info[Context, None]) -> PracticeRow | None:
        return await resolve.my_practice(info.context)


@strawberry.type
class PracticeMutation:
    @strawberry.mutation(
        description="Mail a single-use invitation link (INVITATION_EXPIRE_HOURS). "
        "Practice administrators invite any role; a therapist invites only a "
        "patient of theirs (role PATIENT with that patientId). An address that "
        "already has an account is CONFLICT."
    )
    async def invite_user(
        self,
        info: Info[Context, None],
        email: str,
        role: Role,
        patient_id: strawberry.ID | None = None,
    ) -> InvitationRow:
        return await resolve.invite_user(info.context, email, role, patient_id)

    @strawberry.mutation(
        description="Create the invited account (verified) in the inviting "
        "practice; a PATIENT invitation links the patient record. An unknown, "
        "expired or used token is BAD_USER_INPUT."
    )
    async def accept_invitation(
        self,
        info: Info[Context, None],
        token: str,
        password: str,
        first_name: str,
        last_name: str,
    ) -> AuthPayloadRow:
        return await resolve.accept_invitation(
            info.context, token, password, first_name, last_name
        )

    @strawberry.mutation(
        description="Record a patient's consent (granted) or its withdrawal; "
        "every change is kept and audited."
    )
    async def record_consent(
        self,
        info: Info[Context, None],
        patient_id: strawberry.ID,
        kind: ConsentKind,
        granted: bool,
        form_version: str | None = None,
    ) -> PatientRow:
        return await resolve.record_consent(
            info.context, patient_id, kind, granted, form_version
        )

    @strawberry.mutation(
        description="PATIENT: export your own record (your sessions' summaries, "
        "action items and topics, and your progress); never therapist notes, "
        "transcripts or risk flags."
    )
    async def export_my_record(
        self, info: Info[Context, None], format: ExportFormat
    ) -> ExportJobRow:
        return await export_requests.export_my_record(info, format)
