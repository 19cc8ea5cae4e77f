"""Row scoping, in one place per entity: what a user may read.

Every path that returns data (root fields, node/nodes, nested fields,
dataloaders, subscriptions) filters through these builders
(``readable_<entity>s(user)``, a select), and every "may this user read this
one row" is the one lookup here (``readable_<entity>(db, user, id)``, the row
or None); ``services/access.py`` turns a None into NOT_FOUND. Everything is
keyed by practice first: nobody reads anything of another practice, whatever
their role. Within the practice a THERAPIST (and an ADMIN, who reads clinical
content only where assigned) sees the patients assigned to them; a PATIENT
sees the one record linked to their account; whoever administers the practice
(ADMIN, or a THERAPIST with ``is_practice_admin``) also sees its users.

Statements on hot paths are built once per shape and reused (``scoped_statement``):
building one takes longer than PostgreSQL takes to run it. A reused statement is
built for a ``Template`` user whose id is a REQUIRED bind parameter, so running
it without the parameters ``scoped_statement`` returns for the real caller fails
instead of reading as somebody else. The caller's practice is a second required
parameter, ``scope_practice_id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    Select,
    Uuid,
    and_,
    bindparam,
    false,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import BindParameter

from db.enums import RiskAlertStatus, Role
from db.models import (
    AuditEvent,
    ExportJob,
    Invitation,
    Patient,
    PatientTherapist,
    Practice,
    RiskAlert,
    TherapySession,
    TreatmentPlan,
    User,
)

SCOPE_USER_ID = "scope_user_id"
SCOPE_PRACTICE_ID = "scope_practice_id"
# the patients a scoping subquery joins, never correlated with an outer query
_ScopePatient = aliased(Patient, name="scope_patient")


class Subject(Protocol):
    """What scoping reads of a user: a ``User``, or a ``Template``."""

    @property
    def id(self) -> Any: ...

    @property
    def role(self) -> Role: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def practice_id(self) -> Any: ...

    @property
    def administers_practice(self) -> bool: ...


@dataclass(frozen=True)
class Template:
    """Any active user of ``role`` (administering the practice or not):
    scoping built for it binds the user's id and practice as the required
    parameters ``scope_user_id`` and ``scope_practice_id``."""

    role: Role
    is_active: bool = True
    is_practice_admin: bool = False

    @property
    def id(self) -> BindParameter[uuid.UUID]:
        return bindparam(SCOPE_USER_ID, type_=Uuid(), required=True)

    @property
    def practice_id(self) -> BindParameter[uuid.UUID]:
        return bindparam(SCOPE_PRACTICE_ID, type_=Uuid(), required=True)

    @property
    def administers_practice(self) -> bool:
        return self.role is Role.ADMIN or self.is_practice_admin


_STATEMENTS: dict[tuple[Hashable, Role | None, bool], Any] = {}
S = TypeVar("S")


def scoped_statement(
    key: Hashable, user: User | None, build: Callable[[Subject | None], S]
) -> tuple[S, dict[str, Any]]:
    """The statement ``build`` makes for users like ``user`` (built once per
    ``key`` and role), and the parameters that scope it to ``user``. ``key``
    must name everything else ``build`` depends on; it comes from code, never
    from a request's values, so the cache stays small."""
    role = None if user is None or not user.is_active else user.role
    admin = role is not None and user is not None and user.is_practice_admin
    cache_key = (key, role, admin)
    stmt: S | None = _STATEMENTS.get(cache_key)
    if stmt is None:
        stmt = build(None if role is None else Template(role, True, admin))
        _STATEMENTS[cache_key] = stmt
    if role is None or user is None:
        return stmt, {}
    return stmt, {SCOPE_USER_ID: user.id, SCOPE_PRACTICE_ID: user.practice_id}


def readable_patient_ids(user: Subject | None) -> Select[Any]:
    """The IDs of the patients ``user`` may read, as a subquery-able select:
    of the caller's practice only, and of those the assigned (or linked) ones.
    """
    if user is None or not user.is_active:
        return select(Patient.id).where(false())
    if user.role is Role.PATIENT:
        return select(_ScopePatient.id).where(
            _ScopePatient.user_id == user.id,
            _ScopePatient.practice_id == user.practice_id,
        )
    return (
        select(PatientTherapist.patient_id)
        .join(_ScopePatient, _ScopePatient.id == PatientTherapist.patient_id)
        .where(
            PatientTherapist.therapist_id == user.id,
            _ScopePatient.practice_id == user.practice_id,
        )
    )


def may_read_patient(
    user: User | None,
    therapist_ids: Collection[uuid.UUID],
    linked_user_id: uuid.UUID | None,
    practice_id: uuid.UUID | None = None,
) -> bool:
    """``readable_patient_ids`` for one patient whose therapists, linked
    account and practice are already known (subscription fan-out checks this
    per subscriber without a query)."""
    if user is None or not user.is_active:
        return False
    if practice_id is not None and user.practice_id != practice_id:
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
    """Oneself; everyone of the practice for whoever administers it; the
    therapists and linked accounts of the patients one may read."""
    if user is None or not user.is_active:
        return select(User.id).where(false())
    if user.administers_practice:
        return select(User.id).where(User.practice_id == user.practice_id)
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


def readable_practices(user: Subject | None) -> Select[Practice]:
    """One's own practice, whatever the role."""
    if user is None or not user.is_active:
        return select(Practice).where(false())
    return select(Practice).where(Practice.id == user.practice_id)


def readable_invitations(user: Subject | None) -> Select[Invitation]:
    """The practice's invitations for its administrators; a therapist's own."""
    if user is None or not user.is_active or user.role is Role.PATIENT:
        return select(Invitation).where(false())
    stmt = select(Invitation).where(Invitation.practice_id == user.practice_id)
    if user.administers_practice:
        return stmt
    return stmt.where(Invitation.invited_by_id == user.id)


def practice_user_ids(user: Subject) -> Select[Any]:
    """Every account of the caller's practice (for its administration)."""
    return select(User.id).where(User.practice_id == user.practice_id)


def practice_patient_ids(user: Subject) -> Select[Any]:
    """Every patient of the caller's practice (for its administration)."""
    return select(Patient.id).where(Patient.practice_id == user.practice_id)


def readable_session_ids(user: Subject | None) -> Select[Any]:
    return select(TherapySession.id).where(
        TherapySession.patient_id.in_(readable_patient_ids(user))
    )


def readable_plans(user: Subject | None) -> Select[TreatmentPlan]:
    return select(TreatmentPlan).where(
        TreatmentPlan.patient_id.in_(readable_patient_ids(user))
    )


def readable_plan_ids(user: Subject | None) -> Select[Any]:
    return select(TreatmentPlan.id).where(
        TreatmentPlan.patient_id.in_(readable_patient_ids(user))
    )


def readable_alerts(
    user: Subject | None, status: RiskAlertStatus | None = None
) -> Select[RiskAlert]:
    """Alerts about patients the caller treats; nothing for the PATIENT role."""
    if user is None or user.role is Role.PATIENT:
        return select(RiskAlert).where(false())
    stmt = select(RiskAlert).where(RiskAlert.patient_id.in_(readable_patient_ids(user)))
    if status is not None:
        stmt = stmt.where(RiskAlert.status == status)
    return stmt


def readable_export_jobs(user: Subject | None) -> Select[ExportJob]:
    """The caller's own export jobs, for patients they may still read."""
    if user is None:
        return select(ExportJob).where(false())
    return select(ExportJob).where(
        ExportJob.requested_by_id == user.id,
        ExportJob.patient_id.in_(readable_patient_ids(user)),
    )


def readable_audit_events(user: Subject | None) -> Select[AuditEvent]:
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


# One row the caller may read, or None: the only answer to "may this user
# read X" (services/access.py raises NOT_FOUND on a None).


async def readable_patient(
    db: AsyncSession, user: User | None, patient_id: uuid.UUID
) -> Patient | None:
    stmt = readable_patients(user).where(Patient.id == patient_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def readable_session(
    db: AsyncSession, user: User | None, session_id: uuid.UUID
) -> TherapySession | None:
    stmt = readable_sessions(user).where(TherapySession.id == session_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def readable_plan(
    db: AsyncSession, user: User | None, plan_id: uuid.UUID
) -> TreatmentPlan | None:
    stmt = readable_plans(user).where(TreatmentPlan.id == plan_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def readable_invitation(
    db: AsyncSession, user: User | None, invitation_id: uuid.UUID
) -> Invitation | None:
    stmt = readable_invitations(user).where(Invitation.id == invitation_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def readable_alert(
    db: AsyncSession, user: User | None, alert_id: uuid.UUID, *, lock: bool = False
) -> RiskAlert | None:
    """With ``lock``, locked for this transaction and re-read."""
    stmt = readable_alerts(user).where(RiskAlert.id == alert_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await db.execute(stmt)).scalar_one_or_none()


async def readable_audit_event(
    db: AsyncSession, user: User | None, event_id: uuid.UUID
) -> AuditEvent | None:
    stmt = readable_audit_events(user).where(AuditEvent.id == event_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def can_read_patient_audit(
    db: AsyncSession, user: User, patient_id: uuid.UUID
) -> bool:
    """Whether ``user`` may read the audit log of this patient: an
    administrator any patient of the practice, others the ones they read."""
    ids = (
        practice_patient_ids(user)
        if user.administers_practice
        else readable_patient_ids(user)
    )
    stmt = ids.where(ids.selected_columns[0] == patient_id)
    return (await db.execute(stmt)).first() is not None
