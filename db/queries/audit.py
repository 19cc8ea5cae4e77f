"""Audit events: who may read them (one place), newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models import AuditEvent
from db.queries.pagination import Ordering

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
