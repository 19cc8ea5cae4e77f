"""Risk alert resolvers: the list, one by id, acknowledging, the subscription.
Every read is audited; the PATIENT role never sees an alert."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from typing import Any

from strawberry.types import Info

from db.enums import RiskAlertStatus
from db.models import RiskAlert
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.pagination import page_args
from resolvers.patients import Counted
from resolvers.reads import phi_selected
from services import alert_reads, alerts, review_writes
from services.audit import batcher
from services.events import broker
from services.notes import RiskFlag
from services.reads import refuse_patient_role

Ctx = Info[Context, Any]


async def risk_alerts(
    info: Ctx, status: RiskAlertStatus | None, first: int | None, after: str | None
) -> Counted:
    args = page_args(first, after)
    fields = phi_selected(info, "RiskAlert", "edges", "node")
    return await alert_reads.alerts_page(info.context, status, args, fields)


async def alert_by_id(info: Ctx, alert_id: uuid.UUID) -> RiskAlert | None:
    fields = phi_selected(info, "RiskAlert")
    return await alert_reads.alert_by_id(info.context, alert_id, fields)


def flags(root: RiskAlert) -> list[RiskFlag]:
    """The alert's flags, validated (a function of the row alone)."""
    return alerts.flags_of(root)


async def acknowledge(info: Ctx, alert_id: str, note: str | None) -> RiskAlert:
    aid = decode_id(alert_id, "RiskAlert", "id")
    return await review_writes.acknowledge_alert(info.context, aid, note)


async def risk_alert_raised(info: Ctx) -> AsyncGenerator[RiskAlert, None]:
    """Every alert raised for a patient the subscriber treats, re-read under
    the subscriber's own scoping."""
    ctx = info.context
    # checked here rather than by a permission class: when the stream starts
    user = refuse_patient_role(ctx)
    async with broker.subscribe_alerts() as queue:
        try:
            while True:
                alert_id = await queue.get()
                async with ctx.session_factory() as db:
                    found = await alert_reads.raised_alert(db, user, alert_id)
                if found is None:
                    continue
                await ctx.close()
                alert_reads.record_alerts(ctx, [found], phi_selected(info, "RiskAlert"))
                yield found
                batcher.add(ctx.session_factory, ctx.audit_events)
                ctx.audit_events = []
        finally:
            batcher.add(ctx.session_factory, ctx.audit_events)
            ctx.audit_events = []
