"""Audit events: who may read them (one place), newest first."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import AuditEvent, User
from db.queries.pagination import Ordering
from db.queries.scoping import readable_patient_ids

NEWEST_FIRST = Ordering(
    [AuditEvent.__table__.c.at, AuditEvent.__table__.c.id], descending=True
)


def readable_audit_events(user: User | None) -> Select[AuditEvent]:
    """An admin reads every event; a therapist those about their own patients."""
    if user is None or not user.is_active or user.role is Role.PATIENT:
        return select(AuditEvent).where(false())
    if user.role is Role.ADMIN:
        return select(AuditEvent)
    return select(AuditEvent).where(
        AuditEvent.patient_id.in_(readable_patient_ids(user))
    )


async def is_readable_patient(
    session: AsyncSession, user: User, patient_id: uuid.UUID
) -> bool:
    ids = readable_patient_ids(user)
    stmt = ids.where(ids.selected_columns[0] == patient_id)
    return (await session.execute(stmt)).first() is not None


async def audit_event_by_id(
    session: AsyncSession, user: User | None, event_id: uuid.UUID
) -> AuditEvent | None:
    stmt = readable_audit_events(user).where(AuditEvent.id == event_id)
    return (await session.execute(stmt)).scalar_one_or_none()
