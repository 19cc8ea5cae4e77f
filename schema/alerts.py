"""Root fields of risk alerts: the list, acknowledging, the subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from db.enums import RiskAlertStatus
from resolvers import alerts as resolve
from resolvers.context import Context
from schema.connection import Connection
from schema.permissions import NotPatient, requires
from schema.types.alert import RiskAlertRow


@strawberry.type
class AlertQuery:
    @strawberry.field(
        description="Alerts about the caller's patients, newest first; "
        "FORBIDDEN for the PATIENT role.",
        extensions=requires(NotPatient),
    )
    async def risk_alerts(
        self,
        info: Info[Context, None],
        status: RiskAlertStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[RiskAlertRow]:
        page, counter = await resolve.risk_alerts(info, status, first, after)
        return Connection.from_page(page, counter)


@strawberry.type
class AlertMutation:
    @strawberry.mutation(
        description="Acknowledge an open alert, with an optional note "
        "(NOT_FOUND for an alert about someone else's patient)."
    )
    async def acknowledge_risk_alert(
        self, info: Info[Context, None], id: strawberry.ID, note: str | None = None
    ) -> RiskAlertRow:
        return await resolve.acknowledge(info, id, note)


@strawberry.type
class AlertSubscription:
    @strawberry.subscription(
        description="Every risk alert raised for a patient the caller treats."
    )
    async def risk_alert_raised(
        self, info: Info[Context, None]
    ) -> AsyncGenerator[RiskAlertRow, None]:
        async for alert in resolve.risk_alert_raised(info):
            yield alert
