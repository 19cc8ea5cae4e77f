"""The Patient type."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from db.enums import SessionStatus
from resolvers import analytics as analytics_resolvers
from resolvers import patients as resolve
from resolvers import sessions as session_resolvers
from resolvers.context import Context
from resolvers.practices import consents
from schema.connection import Connection
from schema.node import Node, register_node
from schema.types.session import TherapySessionRow
from schema.types.treatment_plan import TreatmentPlanRow
from schema.types.user import UserRow

if TYPE_CHECKING:
    from schema.types.analytics import PatientProgressRow
    from schema.types.practice import ConsentRow

FromArg = Annotated[datetime | None, strawberry.argument(name="from")]
Progress = Annotated["PatientProgressRow", strawberry.lazy("schema.types.analytics")]
Consent = Annotated["ConsentRow", strawberry.lazy("schema.types.practice")]


@strawberry.type(name="Patient")
class PatientType(Node):
    name: str
    email: str | None
    phone: str | None
    created_at: datetime
    archived_at: datetime | None

    @strawberry.field
    @staticmethod
    def date_of_birth(root: strawberry.Parent[models.Patient]) -> date | None:
        return root.birth_date

    @strawberry.field(description="Every therapist assigned to this patient.")
    @staticmethod
    async def therapists(
        root: strawberry.Parent[models.Patient], info: Info[Context, None]
    ) -> list[UserRow]:
        return await resolve.therapists(info, root)

    @strawberry.field(description="Newest first (session date, then id).")
    @staticmethod
    async def sessions(
        root: strawberry.Parent[models.Patient],
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: SessionStatus | None = None,
        from_: FromArg = None,
        to: datetime | None = None,
    ) -> Connection[TherapySessionRow]:
        page, counter = await session_resolvers.patient_sessions(
            info, root, first, after, last, before, status, from_, to
        )
        return Connection.from_page(page, counter)

    @strawberry.field(description="Newest first.")
    @staticmethod
    async def treatment_plans(
        root: strawberry.Parent[models.Patient], info: Info[Context, None]
    ) -> list[TreatmentPlanRow]:
        return await resolve.treatment_plans(info, root)

    @strawberry.field(
        description="Progress over the last `weeks` weeks (1-104); see the "
        "README, section Analytics."
    )
    @staticmethod
    async def progress(
        root: strawberry.Parent[models.Patient],
        info: Info[Context, None],
        weeks: int | None = 12,
    ) -> Progress:
        return await analytics_resolvers.progress_of(info, root, weeks)

    @strawberry.field(
        description="The current state of each kind of consent ever recorded."
    )
    @staticmethod
    async def consents(
        root: strawberry.Parent[models.Patient], info: Info[Context, None]
    ) -> list[Consent]:
        return await consents(info.context, root)

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.Patient | cls)


if TYPE_CHECKING:  # the row a Patient is read from (schema/rows.py)
    PatientRow: TypeAlias = models.Patient
else:
    PatientRow = PatientType


register_node("Patient", resolve.patient_by_id, models.Patient)
