"""Practice, Invitation, Consent and TherapistActivity types."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from db.enums import ConsentKind, Role
from resolvers import practices as resolve
from resolvers.context import Context
from schema.node import Node, register_node
from schema.types.user import UserRow, UserType
from services.practices import TherapistActivity


@strawberry.type(name="Practice", description="A workspace: users and patients.")
class PracticeType(Node):
    name: str
    created_at: datetime

    @strawberry.field(
        description="Its accounts you may see: all of them for its "
        "administrators; yourself and your patients' other therapists otherwise."
    )
    @staticmethod
    async def members(
        root: strawberry.Parent[models.Practice], info: Info[Context, None]
    ) -> list[UserRow]:
        return await resolve.members(info.context, root)

    @strawberry.field(
        description="Its invitations you may see (administrators: all; a "
        "therapist: their own), newest first."
    )
    @staticmethod
    async def invitations(
        root: strawberry.Parent[models.Practice], info: Info[Context, None]
    ) -> list[InvitationRow]:
        return await resolve.invitations_of(info.context, root)

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.Practice | cls)


@strawberry.type(
    name="Invitation",
    description="A single-use link that creates an account in the practice.",
)
class InvitationType(Node):
    email: str
    role: Role
    expires_at: datetime
    accepted_at: datetime | None

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.Invitation | cls)


@strawberry.type(
    name="Consent",
    description="The current state of one kind of consent (the newest record).",
)
class ConsentType:
    kind: ConsentKind
    granted: bool
    form_version: str | None
    recorded_at: datetime

    @strawberry.field(description="Who recorded it; null if not visible to you.")
    @staticmethod
    async def recorded_by(
        root: strawberry.Parent[models.PatientConsent], info: Info[Context, None]
    ) -> UserRow | None:
        return await resolve.consent_recorder(info.context, root)


@strawberry.type(
    name="TherapistActivity",
    description="One therapist's figures over the window: counts and rates only, "
    "nothing clinical.",
)
class TherapistActivityType:
    therapist: UserType
    active_patients: int = strawberry.field(
        description="Patients assigned to the therapist, not archived."
    )
    sessions: int = strawberry.field(
        description="Sessions the therapist held, dated in the window up to now."
    )
    completed: int
    cancelled: int
    no_show: int
    scheduled: int = strawberry.field(
        description="Sessions of the window still SCHEDULED (not yet recorded)."
    )

    @strawberry.field(description="COMPLETED / (COMPLETED + NO_SHOW); null if none.")
    @staticmethod
    def attendance_rate(root: strawberry.Parent[TherapistActivity]) -> float | None:
        return root.attendance_rate

    @strawberry.field(
        description="COMPLETED / (COMPLETED + CANCELLED + NO_SHOW); null if none."
    )
    @staticmethod
    def completion_rate(root: strawberry.Parent[TherapistActivity]) -> float | None:
        return root.completion_rate


async def _practice(info: Info[Context, None], value: uuid.UUID) -> Any:
    return await resolve.practice_node(info.context, value)


async def _invitation(info: Info[Context, None], value: uuid.UUID) -> Any:
    return await resolve.invitation_node(info.context, value)


if TYPE_CHECKING:  # the rows these types are read from (schema/rows.py)
    PracticeRow: TypeAlias = models.Practice
    InvitationRow: TypeAlias = models.Invitation
    ConsentRow: TypeAlias = models.PatientConsent
    TherapistActivityRow: TypeAlias = TherapistActivity
else:
    PracticeRow = PracticeType
    InvitationRow = InvitationType
    ConsentRow = ConsentType
    TherapistActivityRow = TherapistActivityType


register_node("Practice", _practice, models.Practice)
register_node("Invitation", _invitation, models.Invitation)
