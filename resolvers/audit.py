"""Recording audit events during a request (written in one INSERT at its end)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from resolvers.context import Context
from services.audit import AuditAction, AuditRecord

__all__ = ["AuditAction", "audit"]


def audit(
    ctx: Context,
    action: AuditAction,
    entity_type: str,
    entity_id: uuid.UUID | None,
    patient_id: uuid.UUID | None,
    fields: Iterable[str] = (),
    *,
    actor_id: uuid.UUID | None = None,
    entity_ids: Sequence[uuid.UUID] | None = None,
) -> None:
    """Buffer one audit event (READ, CREATE, UPDATE, DELETE, EXPORT, ...).

    ``actor_id`` names the actor when the request has no signed-in user yet
    (a login); otherwise the caller is the actor. ``entity_ids`` names the
    objects of a READ of several (``entity_id`` then None).
    """
    # the row's id is drawn when it is written: a request's READs of one list
    # become one row (services/audit.py), and one random id per object read
    # cost a system call each
    ctx.audit_events.append(
        AuditRecord(
            actor_id=actor_id or ctx.user_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            entity_ids=None if entity_ids is None else tuple(entity_ids),
            patient_id=patient_id,
            fields=tuple(sorted(set(fields))),
            request_id=ctx.request_id or None,
            ip_address=ctx.client_ip,
        )
    )
