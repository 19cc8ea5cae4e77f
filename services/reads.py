"""What a read service needs from a request, and the audit of what it read.

Reads go through services like writes do: the read services
(services/session_reads.py, services/patient_reads.py) apply the read rules
(the caller's scoping through the per-request loaders, priming a loader with
what a query already brought, refusing the PATIENT role what it may not see)
and record a READ for every object of patient data they hand back. The
resolvers turn the GraphQL query into plain data first (the names selected,
the PHI fields selected) and pass it in; no service sees the query itself.

``Reader`` is the request as a service sees it; ``resolvers.context.Context``
satisfies it (a test or a job may pass anything that does).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import AuditAction, Role
from db.loaders import ScopedLoader
from db.models import User
from db.queries.pagination import Page
from services.errors import Forbidden, NotFound

__all__ = ["Counted", "Page", "Reader", "found_or_raise", "record_reads"]

L = TypeVar("L", bound="ScopedLoader[Any, Any]")
T = TypeVar("T")

# a page (schema/connection.py makes it a connection) and the count of
# everything it pages through, counted when asked for
Counted = tuple[Page[Any], Callable[[], Awaitable[int]]]


class Reader(Protocol):
    @property
    def db(self) -> AsyncSession: ...

    def loader(self, cls: type[L]) -> L:
        """The per-request instance of a dataloader, scoped to the caller."""
        ...

    def require_user(self) -> User:
        """The caller, or UNAUTHENTICATED."""
        ...

    def audit(
        self,
        action: AuditAction,
        entity_type: str,
        entity_id: uuid.UUID | None,
        patient_id: uuid.UUID | None,
        fields: Iterable[str] = (),
        *,
        entity_ids: Sequence[uuid.UUID] | None = None,
    ) -> None:
        """Buffer one audit event, written with the request."""
        ...


def found_or_raise(found: T | None, what: str) -> T:
    """A non-null nested object; scoping may hide it (e.g. unassigned since)."""
    if found is None:
        raise NotFound(what)
    return found


def refuse_patient_role(reader: Reader) -> User:
    """FORBIDDEN for the PATIENT role (values hidden from patients)."""
    user = reader.require_user()
    if user.role is Role.PATIENT:
        raise Forbidden("Not available to patients")
    return user


def record_reads(
    reader: Reader,
    type_name: str,
    objects: Iterable[tuple[uuid.UUID, uuid.UUID | None]],
    fields: Sequence[str],
) -> None:
    """One READ event per patient for the objects read, naming every object
    and the PHI ``fields`` selected on them (the request's READs of one list
    are coalesced further when written: services/audit.py)."""
    by_patient: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for entity_id, patient_id in objects:
        by_patient.setdefault(patient_id, []).append(entity_id)
    for patient_id, ids in by_patient.items():
        one = len(ids) == 1
        reader.audit(
            AuditAction.READ,
            type_name,
            ids[0] if one else None,
            patient_id,
            fields,
            entity_ids=None if one else ids,
        )
