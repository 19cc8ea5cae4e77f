"""Risk alert resolvers: the list, one by id, acknowledging, the subscription.
Every read is audited; the PATIENT role never sees an alert."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from typing import Any

from strawberry.types import Info

from db.enums import RiskAlertStatus
from db.loaders import RiskAlertByIdLoader
from db.models import RiskAlert
from db.queries.alerts import ALERT_ORDER, alert_key
from db.queries.pagination import count, paginate
from db.queries.scoping import readable_alert, readable_alerts
from resolvers.audit import AuditAction, audit
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.pagination import page_args
from resolvers.patients import Counted
from resolvers.reads import audit_reads
from resolvers.sessions import refuse_patient_role
from services import alerts
from services.audit import batcher
from services.events import broker

Ctx = Info[Context, Any]


def _audit(info: Ctx, rows: list[RiskAlert], *path: str) -> None:
    audit_reads(info, "RiskAlert", [(a.id, a.patient_id) for a in rows], *path)


async def risk_alerts(
    info: Ctx, status: RiskAlertStatus | None, first: int | None, after: str | None
) -> Counted:
    ctx = info.context
    refuse_patient_role(ctx)
    stmt = readable_alerts(ctx.require_user(), status)
    page = await paginate(ctx.db, stmt, ALERT_ORDER, page_args(first, after), alert_key)
    _audit(info, list(page.rows), "edges", "node")
    return page, lambda: count(ctx.db, stmt)


async def alert_by_id(info: Ctx, alert_id: uuid.UUID) -> RiskAlert | None:
    found = await info.context.loader(RiskAlertByIdLoader).load(alert_id)
    if found is not None:
        _audit(info, [found])
    return found


async def acknowledge(info: Ctx, alert_id: str, note: str | None) -> RiskAlert:
    ctx = info.context
    aid = decode_id(alert_id, "RiskAlert", "id")
    row = await alerts.acknowledge(ctx.db, ctx.require_user(), aid, note)
    fields = ["status", "acknowledgedAt", "acknowledgementNote"]
    audit(ctx, AuditAction.UPDATE, "RiskAlert", row.id, row.patient_id, fields)
    return row


async def risk_alert_raised(info: Ctx) -> AsyncGenerator[RiskAlert, None]:
    """Every alert raised for a patient the subscriber treats, re-read under
    the subscriber's own scoping."""
    ctx = info.context
    refuse_patient_role(ctx)
    user = ctx.require_user()
    async with broker.subscribe_alerts() as queue:
        try:
            while True:
                alert_id = await queue.get()
                async with ctx.session_factory() as db:
                    found = await readable_alert(db, user, alert_id)
                if found is None:
                    continue
                await ctx.close()
                _audit(info, [found])
                yield found
                batcher.add(ctx.session_factory, ctx.audit_events)
                ctx.audit_events = []
        finally:
            batcher.add(ctx.session_factory, ctx.audit_events)
            ctx.audit_events = []
