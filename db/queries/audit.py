"""Audit events: who may read them (one place), newest first."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, and_, false, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models import AuditEvent, Patient, User
from db.queries.pagination import Ordering
from db.queries.scoping import practice_user_ids, readable_patient_ids

NEWEST_FIRST = Ordering(
    [AuditEvent.__table__.c.at, AuditEvent.__table__.c.id], descending=True
)


# one statement whatever the number of events: a column of values per array
_INSERT_UNNEST = text(
    """
    INSERT INTO audit_events (id, at, actor_id, action, entity_type, entity_id,
                              entity_ids, patient_id, fields, request_id,
                              ip_address)
    SELECT coalesce(id, gen_random_uuid()), at, actor_id, action, entity_type,
           entity_id,
           CAST(string_to_array(nullif(entity_ids, ''), ',') AS uuid[]),
           patient_id,
           coalesce(string_to_array(nullif(fields, ''), ','), '{}'),
           request_id, ip_address
    FROM unnest(CAST(:ids AS uuid[]), CAST(:ats AS timestamptz[]),
                CAST(:actors AS uuid[]), CAST(:actions AS text[]),
                CAST(:types AS text[]), CAST(:entities AS uuid[]),
                CAST(:entity_ids AS text[]),
                CAST(:patients AS uuid[]), CAST(:fields AS text[]),
                CAST(:requests AS text[]), CAST(:ips AS text[]))
      AS t(id, at, actor_id, action, entity_type, entity_id, entity_ids,
           patient_id, fields, request_id, ip_address)
    """
)


async def insert_audit_events(db: AsyncSession, events: list[dict[str, Any]]) -> None:
    """Insert audit events (dicts shaped like the table) in ONE statement."""
    await db.execute(
        _INSERT_UNNEST,
        {
            # drawn by PostgreSQL where not given (a system call each here)
            "ids": [e.get("id") for e in events],
            "ats": [e.get("at") or utcnow() for e in events],
            "actors": [e.get("actor_id") for e in events],
            "actions": [e["action"] for e in events],
            "types": [e["entity_type"] for e in events],
            "entities": [e.get("entity_id") for e in events],
            # arrays of arrays do not unnest row by row: comma-joined text
            "entity_ids": [
                ",".join(str(i) for i in e.get("entity_ids") or ()) for e in events
            ],
            "patients": [e.get("patient_id") for e in events],
            "fields": [",".join(e.get("fields") or ()) for e in events],
            "requests": [e.get("request_id") for e in events],
            "ips": [e.get("ip_address") for e in events],
        },
    )


def readable_audit_events(user: User | None) -> Select[AuditEvent]:
    """Whoever administers a practice reads the events of its patients and
    users; a therapist those about their own patients; a PATIENT those about
    their own record (the accounting of disclosures)."""
    if user is None or not user.is_active:
        return select(AuditEvent).where(false())
    if user.administers_practice:
        users = practice_user_ids(user)
        return select(AuditEvent).where(
            or_(
                AuditEvent.patient_id.in_(practice_patient_ids(user)),
                AuditEvent.actor_id.in_(users),
                and_(AuditEvent.entity_type == "User", AuditEvent.entity_id.in_(users)),
            )
        )
    return select(AuditEvent).where(
        AuditEvent.patient_id.in_(readable_patient_ids(user))
    )


def practice_patient_ids(user: User) -> Select[Any]:
    return select(Patient.id).where(Patient.practice_id == user.practice_id)


async def is_readable_patient(
    db: AsyncSession, user: User, patient_id: uuid.UUID
) -> bool:
    """Whether ``user`` may read the audit log of this patient: an
    administrator any patient of the practice, others the ones they read."""
    ids = (
        practice_patient_ids(user)
        if user.administers_practice
        else (readable_patient_ids(user))
    )
    stmt = ids.where(ids.selected_columns[0] == patient_id)
    return (await db.execute(stmt)).first() is not None


async def audit_event_by_id(
    db: AsyncSession, user: User | None, event_id: uuid.UUID
) -> AuditEvent | None:
    stmt = readable_audit_events(user).where(AuditEvent.id == event_id)
    return (await db.execute(stmt)).scalar_one_or_none()
