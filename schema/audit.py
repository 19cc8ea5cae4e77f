"""The ``auditLog`` root field."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.audit_log import audit_log
from resolvers.context import Context
from schema.connection import Connection
from schema.types.audit import AuditEventRow


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description=(
            "Audit events, newest first: ADMIN reads all; a therapist the events "
            "of their own patients (patientId narrows to one)."
        )
    )
    async def audit_log(
        self,
        info: Info[Context, None],
        patient_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEventRow]:
        page, total = await audit_log(info.context, patient_id, first, after)
        return Connection.from_page(page, total)
