"""The RiskAlert type."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from db.enums import RiskAlertStatus, RiskSeverity
from resolvers import alerts as resolve
from resolvers import review
from resolvers.context import Context
from resolvers.patients import found_or_raise, patient_by_id
from resolvers.sessions import session_by_id
from schema.node import Node, register_node
from schema.types.notes import RiskFlagRow
from schema.types.user import UserRow

if TYPE_CHECKING:
    from schema.types.patient import PatientRow
    from schema.types.session import TherapySessionRow

Alert = strawberry.Parent[models.RiskAlert]


@strawberry.type(
    name="RiskAlert",
    description="Raised when a session is PROCESSED with a MEDIUM or HIGH risk "
    "flag; never visible to the PATIENT role.",
)
class RiskAlertType(Node):
    severity: RiskSeverity
    status: RiskAlertStatus
    raised_at: datetime
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    acknowledgement_note: str | None

    @strawberry.field
    @staticmethod
    async def session(
        root: Alert, info: Info[Context, None]
    ) -> Annotated[TherapySessionRow, strawberry.lazy("schema.types.session")]:
        found = await session_by_id(info, root.session_id)
        return found_or_raise(found, "Session")

    @strawberry.field
    @staticmethod
    async def patient(
        root: Alert, info: Info[Context, None]
    ) -> Annotated[PatientRow, strawberry.lazy("schema.types.patient")]:
        found = await patient_by_id(info, root.patient_id)
        return found_or_raise(found, "Patient")

    @strawberry.field
    @staticmethod
    def flags(root: Alert) -> list[RiskFlagRow]:
        return resolve.flags(root)

    @strawberry.field
    @staticmethod
    async def acknowledged_by(root: Alert, info: Info[Context, None]) -> UserRow | None:
        return await review.user_by_id(info, root.acknowledged_by_id)

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.RiskAlert | cls)


if TYPE_CHECKING:  # the row a RiskAlert is read from (schema/rows.py)
    RiskAlertRow: TypeAlias = models.RiskAlert
else:
    RiskAlertRow = RiskAlertType


register_node("RiskAlert", resolve.alert_by_id, models.RiskAlert)
