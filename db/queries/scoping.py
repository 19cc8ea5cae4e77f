"""Row scoping, in one place per entity: what a user may read.

Every path that returns data (root fields, node/nodes, nested fields,
dataloaders, subscriptions) filters through these builders. A THERAPIST (and an
ADMIN, who reads clinical content only where assigned) sees the patients
assigned to them; a PATIENT sees the one record linked to their account.

Statements on hot paths are built once per shape and reused (``scoped_statement``):
building one takes longer than PostgreSQL takes to run it. A reused statement is
built for a ``Template`` user whose id is a REQUIRED bind parameter, so running
it without the parameters ``scoped_statement`` returns for the real caller fails
instead of reading as somebody else.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, Uuid, bindparam, false, literal, select, union
from sqlalchemy.sql.elements import BindParameter

from db.enums import Role
from db.models import Patient, PatientTherapist, TherapySession, User

SCOPE_USER_ID = "scope_user_id"


class Subject(Protocol):
    """What scoping reads of a user: a ``User``, or a ``Template``."""

    @property
    def id(self) -> Any: ...

    @property
    def role(self) -> Role: ...

    @property
    def is_active(self) -> bool: ...


@dataclass(frozen=True)
class Template:
    """Any active user of ``role``: scoping built for it binds the user's id
    as the required parameter ``scope_user_id``."""

    role: Role
    is_active: bool = True

    @property
    def id(self) -> BindParameter[uuid.UUID]:
        return bindparam(SCOPE_USER_ID, type_=Uuid(), required=True)


_STATEMENTS: dict[tuple[Hashable, Role | None], Any] = {}
S = TypeVar("S")


def scoped_statement(
    key: Hashable, user: User | None, build: Callable[[Subject | None], S]
) -> tuple[S, dict[str, Any]]:
    """The statement ``build`` makes for users like ``user`` (built once per
    ``key`` and role), and the parameters that scope it to ``user``. ``key``
    must name everything else ``build`` depends on; it comes from code, never
    from a request's values, so the cache stays small."""
    role = None if user is None or not user.is_active else user.role
    cache_key = (key, role)
    stmt: S | None = _STATEMENTS.get(cache_key)
    if stmt is None:
        stmt = build(None if role is None else Template(role))
        _STATEMENTS[cache_key] = stmt
    if role is None or user is None:
        return stmt, {}
    return stmt, {SCOPE_USER_ID: user.id}


def readable_patient_ids(user: Subject | None) -> Select[Any]:
    """The IDs of the patients ``user`` may read, as a subquery-able select."""
    if user is None or not user.is_active:
        return select(Patient.id).where(false())
    if user.role is Role.PATIENT:
        return select(Patient.id).where(Patient.user_id == user.id)
    return select(PatientTherapist.patient_id).where(
        PatientTherapist.therapist_id == user.id
    )


def may_read_patient(
    user: User | None,
    therapist_ids: Collection[uuid.UUID],
    linked_user_id: uuid.UUID | None,
) -> bool:
    """``readable_patient_ids`` for one patient whose therapists and linked
    account are already known (subscription fan-out checks this per subscriber
    without a query)."""
    if user is None or not user.is_active:
        return False
    if user.role is Role.PATIENT:
        return linked_user_id == user.id
    return user.id in therapist_ids


def readable_patients(user: Subject | None) -> Select[Patient]:
    return select(Patient).where(Patient.id.in_(readable_patient_ids(user)))


def readable_sessions(user: Subject | None) -> Select[TherapySession]:
    return select(TherapySession).where(
        TherapySession.patient_id.in_(readable_patient_ids(user))
    )


def readable_user_ids(user: Subject | None) -> Select[Any]:
    """Oneself; everyone for an admin; the therapists and linked accounts of
    the patients one may read."""
    if user is None or not user.is_active:
        return select(User.id).where(false())
    if user.role is Role.ADMIN:
        return select(User.id)
    patients = readable_patient_ids(user)
    return select(
        union(
            select(user.id if isinstance(user.id, BindParameter) else literal(user.id)),
            select(PatientTherapist.therapist_id).where(
                PatientTherapist.patient_id.in_(patients)
            ),
            select(Patient.user_id).where(
                Patient.id.in_(patients), Patient.user_id.is_not(None)
            ),
        ).subquery()
    )


def readable_users(user: Subject | None) -> Select[User]:
    return select(User).where(User.id.in_(readable_user_ids(user)))


__all__ = [
    "SCOPE_USER_ID",
    "Subject",
    "Template",
    "readable_patient_ids",
    "readable_patients",
    "readable_sessions",
    "readable_user_ids",
    "readable_users",
    "scoped_statement",
]
