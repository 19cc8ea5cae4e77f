"""The audit log: for admins, and for therapists about their own patients."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from db.models import AuditEvent
from db.queries.pagination import Page
from db.queries.scoping import readable_audit_event
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.pagination import page_args
from services.audit import audit_log as read_audit_log


async def audit_log(
    ctx: Context, patient_id: str | None, first: int | None, after: str | None
) -> tuple[Page[AuditEvent], Callable[[], Awaitable[int]]]:
    # every role: a PATIENT reads who saw and changed their own record
    user = ctx.require_user()
    pid = decode_id(patient_id, "Patient", "patientId") if patient_id else None
    args = page_args(first=first, after=after)
    return await read_audit_log(ctx.db, user, pid, args)


async def audit_event_node(ctx: Context, event_id: uuid.UUID) -> AuditEvent | None:
    ctx.require_user()
    return await readable_audit_event(ctx.db, ctx.user, event_id)
