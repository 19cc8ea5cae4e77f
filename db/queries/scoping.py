"""Row scoping, in one place per entity: what a user may read.

Every path that returns data (root fields, node/nodes, nested fields,
dataloaders, subscriptions) filters through these builders. A THERAPIST (and an
ADMIN, who reads clinical content only where assigned) sees the patients
assigned to them; a PATIENT sees the one record linked to their account.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, false, literal, select, union

from db.enums import Role
from db.models import Patient, PatientTherapist, TherapySession, User


def readable_patient_ids(user: User | None) -> Select[Any]:
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


def readable_patients(user: User | None) -> Select[Patient]:
    return select(Patient).where(Patient.id.in_(readable_patient_ids(user)))


def readable_sessions(user: User | None) -> Select[TherapySession]:
    return select(TherapySession).where(
        TherapySession.patient_id.in_(readable_patient_ids(user))
    )


def readable_user_ids(user: User | None) -> Select[Any]:
    """Oneself; everyone for an admin; the therapists and linked accounts of
    the patients one may read."""
    if user is None or not user.is_active:
        return select(User.id).where(false())
    if user.role is Role.ADMIN:
        return select(User.id)
    patients = readable_patient_ids(user)
    return select(
        union(
            select(literal(user.id)),
            select(PatientTherapist.therapist_id).where(
                PatientTherapist.patient_id.in_(patients)
            ),
            select(Patient.user_id).where(
                Patient.id.in_(patients), Patient.user_id.is_not(None)
            ),
        ).subquery()
    )


def readable_users(user: User | None) -> Select[User]:
    return select(User).where(User.id.in_(readable_user_ids(user)))


__all__ = [
    "readable_patient_ids",
    "readable_patients",
    "readable_sessions",
    "readable_user_ids",
    "readable_users",
]
