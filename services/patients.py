"""Patient management: create, update, archive, assign, link an account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Role
from db.models import Patient, PatientTherapist, User
from db.queries import patients as q
from db.queries import practices as pq
from db.queries.users import get_user
from services import validation as v
from services.access import patient_or_not_found
from services.changes import UNSET, Changes, Unset
from services.errors import BadInput, Conflict, Forbidden, NotFound


def require_clinician(user: User) -> None:
    """Patients never write; therapists and (assigned) admins may."""
    if user.role is Role.PATIENT:
        raise Forbidden()


async def writable_patient(
    db: AsyncSession, user: User, patient_id: uuid.UUID
) -> Patient:
    """A patient the caller may change, else NOT_FOUND (or FORBIDDEN for the
    PATIENT role, which may read its record but never change it)."""
    require_clinician(user)
    return await patient_or_not_found(db, user, patient_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientChanges(Changes):
    """The fields of a patient the client set; UNSET ones stay as they are."""

    name: str | Unset | None = UNSET
    email: str | Unset | None = UNSET
    phone: str | Unset | None = UNSET
    date_of_birth: date | Unset | None = UNSET


def _columns(changes: PatientChanges) -> dict[str, str | None]:
    """The validated column values of the fields set (BAD_USER_INPUT at the
    first at fault, in this order)."""
    out: dict[str, str | None] = {}
    if changes.name is not UNSET:
        out["name"] = v.text("name", changes.name or "", 200)
    if changes.email is not UNSET:
        out["email"] = v.email("email", changes.email)
    if changes.phone is not UNSET:
        out["phone"] = v.phone("phone", changes.phone)
    if changes.date_of_birth is not UNSET:
        dob = v.birth_date("dateOfBirth", changes.date_of_birth)
        out["date_of_birth"] = dob.isoformat() if dob else None
    return out


async def _check_email(
    db: AsyncSession, patient_id: uuid.UUID | None, email: str | None
) -> None:
    """CONFLICT when another patient of any of this patient's therapists (the
    practice) already has ``email``."""
    if email is None:
        return
    therapists = await q.therapist_ids(db, patient_id) if patient_id else []
    for therapist_id in therapists:
        if await q.email_taken(db, therapist_id, email, except_id=patient_id):
            raise Conflict("A patient with this email already exists", "email")


async def create_patient(
    db: AsyncSession, therapist: User, changes: PatientChanges
) -> Patient:
    """A new patient with the caller as its therapist (a name is required)."""
    if therapist.role is not Role.THERAPIST:
        raise Forbidden("Only therapists create patients")
    if changes.name is UNSET:  # refused as empty below
        changes = replace(changes, name="")
    values = _columns(changes)
    email = values.get("email")
    if email and await q.email_taken(db, therapist.id, email):
        raise Conflict("A patient with this email already exists", "email")
    patient = Patient(
        **values, created_by_id=therapist.id, practice_id=therapist.practice_id
    )
    db.add(patient)
    await db.flush()
    db.add(PatientTherapist(patient_id=patient.id, therapist_id=therapist.id))
    await db.flush()
    return patient


async def update_patient(
    db: AsyncSession, user: User, patient_id: uuid.UUID, changes: PatientChanges
) -> Patient:
    """Change the fields set (UNSET ones stay as they are)."""
    patient = await writable_patient(db, user, patient_id)
    values = _columns(changes)
    if "name" in values and not values["name"]:
        raise BadInput("name", "name must not be empty")
    await _check_email(db, patient.id, values.get("email"))
    for key, value in values.items():
        setattr(patient, key, value)
    patient.updated_at = utcnow()
    await db.flush()
    return patient


async def archive_patient(
    db: AsyncSession, user: User, patient_id: uuid.UUID
) -> Patient:
    """Soft-archive: hidden from default lists, history kept."""
    patient = await writable_patient(db, user, patient_id)
    if patient.archived_at is None:
        patient.archived_at = utcnow()
        await db.flush()
    return patient


async def assign_therapist(
    db: AsyncSession, admin: User, patient_id: uuid.UUID, therapist_id: uuid.UUID
) -> Patient:
    """The practice's administrators: add a THERAPIST of the practice to the
    therapists of a patient of the practice (another practice's: NOT_FOUND)."""
    if not admin.administers_practice:
        raise Forbidden("Only administrators assign therapists")
    patient = await pq.practice_patient(db, admin.practice_id, patient_id)
    if patient is None:
        raise NotFound("Patient")
    therapist = await pq.practice_user(db, admin.practice_id, therapist_id)
    if therapist is None:
        raise NotFound("User")
    if therapist.role is not Role.THERAPIST or not therapist.is_active:
        raise BadInput("therapistId", "The user is not an active therapist")
    if not await q.is_assigned(db, patient.id, therapist.id):
        if patient.email and await q.email_taken(db, therapist.id, patient.email):
            raise Conflict("The therapist has a patient with this email", "email")
        db.add(PatientTherapist(patient_id=patient.id, therapist_id=therapist.id))
        await db.flush()
    return patient


async def link_patient_account(
    db: AsyncSession, user: User, patient_id: uuid.UUID, account_id: uuid.UUID
) -> Patient:
    """Let a PATIENT-role user read this record (the patient's therapist only)."""
    patient = await writable_patient(db, user, patient_id)
    if user.role is not Role.THERAPIST:
        raise Forbidden("Only the patient's therapist links accounts")
    account = await get_user(db, account_id)
    if account is None:
        raise NotFound("User")
    moving = account.practice_id != patient.practice_id
    # an account of another practice is NOT_FOUND, except a PATIENT account
    # alone in the practice its open sign-up made: it joins this one
    if moving and not await pq.is_personal_practice(db, account):
        raise NotFound("User")
    if account.role is not Role.PATIENT:
        raise BadInput("userId", "The user must have the PATIENT role")
    linked = await q.patient_linked_to(db, account.id)
    if linked is not None and linked.id != patient.id:
        raise Conflict("The account is linked to another patient", "userId")
    if moving:
        await pq.move_to_practice(db, account, patient.practice_id)
    patient.user_id = account.id
    await db.flush()
    return patient
