"""The audit trail: collected during a request, written in one INSERT."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import AuditEvent, User
from db.queries.audit import NEWEST_FIRST, is_readable_patient, readable_audit_events
from db.queries.pagination import Page, PageArgs, count, paginate
from services.errors import NotFound


async def write_events(session: AsyncSession, events: list[dict[str, Any]]) -> None:
    """Insert the buffered audit events of one request or job in one statement."""
    if events:
        await session.execute(insert(AuditEvent), events)


async def audit_log(
    session: AsyncSession, user: User, patient_id: uuid.UUID | None, args: PageArgs
) -> tuple[Page[AuditEvent], Callable[[], Awaitable[int]]]:
    """A page of the audit events ``user`` may read, newest first, and a counter.

    An admin reads everything; a therapist only their own patients' events, and
    another therapist's patient is NOT_FOUND.
    """
    stmt = readable_audit_events(user)
    if patient_id is not None:
        if user.role is not Role.ADMIN and not await is_readable_patient(
            session, user, patient_id
        ):
            raise NotFound("Patient")
        stmt = stmt.where(AuditEvent.patient_id == patient_id)
    page = await paginate(session, stmt, NEWEST_FIRST, args, lambda e: (e.at, e.id))

    async def total() -> int:
        return await count(session, stmt)

    return page, total
