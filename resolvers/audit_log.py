"""The audit log: for admins, and for therapists about their own patients."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from db.models import AuditEvent
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.pagination import page_args
from services.audit import read_audit_event, read_audit_log
from services.reads import Page


async def audit_log(
    ctx: Context, patient_id: str | None, first: int | None, after: str | None
) -> tuple[Page[AuditEvent], Callable[[], Awaitable[int]]]:
    pid = decode_id(patient_id, "Patient", "patientId") if patient_id else None
    args = page_args(first=first, after=after)
    return await read_audit_log(ctx, pid, args)


async def audit_event_node(ctx: Context, event_id: uuid.UUID) -> AuditEvent | None:
    return await read_audit_event(ctx, event_id)
