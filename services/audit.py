"""The audit trail: collected during a request (``buffer_event``), written in
one INSERT (``write_events``); the audit log's reads."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import AuditAction
from db.models import AuditEvent, User
from db.queries.audit import NEWEST_FIRST, AuditRecord, insert_audit_events
from db.queries.pagination import Page, PageArgs, count, paginate
from db.queries.scoping import (
    can_read_patient_audit,
    readable_audit_event,
    readable_audit_events,
)
from services.errors import NotFound
from services.reads import Reader

__all__ = [
    "AuditAction",
    "AuditBatcher",
    "AuditRecord",
    "audit_event",
    "audit_log",
    "batcher",
    "buffer_event",
    "coalesce_reads",
    "read_audit_event",
    "read_audit_log",
    "write_events",
]

log = logging.getLogger("therapybridge.audit")


def buffer_event(
    sink: list[AuditRecord],
    action: AuditAction,
    entity_type: str,
    entity_id: uuid.UUID | None,
    patient_id: uuid.UUID | None,
    fields: Iterable[str],
    *,
    actor_id: uuid.UUID | None,
    entity_ids: Sequence[uuid.UUID] | None,
    request_id: str | None,
    ip_address: str | None,
) -> None:
    """Append one audit event (READ, CREATE, UPDATE, DELETE, EXPORT, ...) to
    ``sink``, the events a request or job writes when it ends.

    ``entity_ids`` names the objects of a READ of several (``entity_id`` then
    None); ``fields`` are kept sorted and once each.
    """
    # the row's id is drawn when it is written: a request's READs of one list
    # become one row (coalesce_reads), and one random id per object read
    # cost a system call each
    sink.append(
        AuditRecord(
            actor_id=actor_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            entity_ids=None if entity_ids is None else tuple(entity_ids),
            patient_id=patient_id,
            fields=tuple(sorted(set(fields))),
            request_id=request_id,
            ip_address=ip_address,
        )
    )


async def write_events(db: AsyncSession, events: list[AuditRecord]) -> None:
    """Insert the buffered audit events of one request or job in one statement,
    its READs of one list coalesced (``coalesce_reads``)."""
    if events:
        await insert_audit_events(db, coalesce_reads(events))


# what makes two READs one row: (actor, entity type, patient, fields, request, IP)
ReadKey = tuple[
    uuid.UUID | None, str, uuid.UUID | None, tuple[str, ...], str | None, str | None
]


def coalesce_reads(events: list[AuditRecord]) -> list[AuditRecord]:
    """One READ row per (actor, entity type, patient, fields, request, IP)
    naming every object read in ``entity_ids`` (``entity_id`` when it is one
    object). Other actions keep one row each. A page of 50 patients with 10
    sessions and notes each: 150 rows instead of 1,050; no object goes unnamed.
    """
    out: list[AuditRecord] = []
    # the group's position in ``out`` and the objects it names
    groups: dict[ReadKey, tuple[int, list[uuid.UUID]]] = {}
    for event in events:
        if event.action is not AuditAction.READ:
            out.append(event)
            continue
        key: ReadKey = (
            event.actor_id,
            event.entity_type,
            event.patient_id,
            event.fields,
            event.request_id,
            event.ip_address,
        )
        ids = event.entity_ids or (
            (event.entity_id,) if event.entity_id is not None else ()
        )
        found = groups.get(key)
        if found is None:
            groups[key] = (len(out), list(ids))
            out.append(event)
        else:
            found[1].extend(ids)
    for index, named in groups.values():
        unique = tuple(dict.fromkeys(named))
        first = out[index]
        if len(unique) > 1:
            out[index] = replace(first, entity_id=None, entity_ids=unique)
        else:
            one = unique[0] if unique else None
            if first.entity_id != one or first.entity_ids is not None:
                out[index] = replace(first, entity_id=one, entity_ids=None)
    return out


class AuditBatcher:
    """Audit events written outside a request (subscription deliveries): kept
    for at most ``interval`` seconds and written in one INSERT per batch, so a
    status change fanned out to 1,000 subscribers costs one statement, not 1,000.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self._pending: list[AuditRecord] = []
        self._factory: async_sessionmaker[AsyncSession] | None = None
        self._task: asyncio.Task[None] | None = None

    def add(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        events: list[AuditRecord],
    ) -> None:
        if not events:
            return
        self._pending.extend(events)
        self._factory = session_factory
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._later())

    async def _later(self) -> None:
        await asyncio.sleep(self.interval)
        await self.flush()

    async def flush(self) -> None:
        """Write everything pending now (also called at shutdown)."""
        while self._pending and self._factory is not None:
            batch, self._pending = self._pending, []
            try:
                async with self._factory() as db:
                    # each delivery keeps its own row and time: not coalesced
                    await insert_audit_events(db, batch)
                    await db.commit()
            except Exception as exc:
                # the count and type only: the events themselves name patients
                log.error(
                    "could not write %d audit events: %s",
                    len(batch),
                    type(exc).__name__,
                )
                return


batcher = AuditBatcher()


async def read_audit_event(reader: Reader, event_id: uuid.UUID) -> AuditEvent | None:
    """``node(id)`` of an AuditEvent: ``audit_event`` for the caller."""
    return await audit_event(reader.db, reader.require_user(), event_id)


async def read_audit_log(
    reader: Reader, patient_id: uuid.UUID | None, args: PageArgs
) -> tuple[Page[AuditEvent], Callable[[], Awaitable[int]]]:
    """``auditLog``: ``audit_log`` for the caller, whatever the role (a
    PATIENT reads who saw and changed their own record)."""
    return await audit_log(reader.db, reader.require_user(), patient_id, args)


async def audit_event(
    db: AsyncSession, user: User, event_id: uuid.UUID
) -> AuditEvent | None:
    """One audit event ``user`` may read (as ``audit_log`` decides), else None."""
    return await readable_audit_event(db, user, event_id)


async def audit_log(
    db: AsyncSession, user: User, patient_id: uuid.UUID | None, args: PageArgs
) -> tuple[Page[AuditEvent], Callable[[], Awaitable[int]]]:
    """A page of the audit events ``user`` may read, newest first, and a counter.

    An administrator reads the practice's events; a therapist only their own
    patients' events; a PATIENT their own record's. Anything else is NOT_FOUND.
    """
    stmt = readable_audit_events(user)
    if patient_id is not None:
        if not await can_read_patient_audit(db, user, patient_id):
            raise NotFound("Patient")
        stmt = stmt.where(AuditEvent.patient_id == patient_id)
    page = await paginate(db, stmt, NEWEST_FIRST, args, lambda e: (e.at, e.id))

    async def total() -> int:
        return await count(db, stmt)

    return page, total
