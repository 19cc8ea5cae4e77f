"""Reading patients and their treatment plans: the caller's scoping (through
the per-request loaders and ``patients_stmt``), the search rule, and the READ
audit of each object handed back. The callers (resolvers/patients.py) pass
what the query selected as plain names."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from db.loaders import (
    GoalsByPlanIdLoader,
    PatientByIdLoader,
    TherapistsByPatientIdLoader,
    TreatmentPlanByIdLoader,
    TreatmentPlansByPatientIdLoader,
)
from db.models import Patient, TreatmentGoal, TreatmentPlan, User
from db.queries.pagination import PageArgs, count, paginate
from db.queries.patients import PATIENT_ORDER, patient_key, patients_stmt
from services.errors import BadInput
from services.reads import Counted, Reader, record_reads

MAX_SEARCH = 200


def record_patients(
    reader: Reader, rows: Sequence[Patient], fields: Sequence[str]
) -> None:
    if rows:
        record_reads(reader, "Patient", [(p.id, p.id) for p in rows], fields)


async def patient_by_id(
    reader: Reader, pid: uuid.UUID, fields: Sequence[str]
) -> Patient | None:
    found = await reader.loader(PatientByIdLoader).load(pid)
    if found is not None:
        record_patients(reader, [found], fields)
    return found


async def patients_page(
    reader: Reader,
    args: PageArgs,
    search: str | None,
    include_archived: bool,
    fields: Sequence[str],
) -> Counted:
    """The caller's patients by name, then id; ``search`` over name and email."""
    user = reader.require_user()
    if search is not None and len(search) > MAX_SEARCH:
        raise BadInput("search", f"search is limited to {MAX_SEARCH} characters")
    db = reader.db
    stmt = patients_stmt(user, search, include_archived)
    page = await paginate(db, stmt, PATIENT_ORDER, args, patient_key)
    record_patients(reader, page.rows, fields)
    return page, lambda: count(db, stmt)


async def therapists(reader: Reader, patient: Patient) -> list[User]:
    return await reader.loader(TherapistsByPatientIdLoader).load(patient.id)


async def treatment_plans(
    reader: Reader, patient: Patient, fields: Sequence[str]
) -> list[TreatmentPlan]:
    plans = await reader.loader(TreatmentPlansByPatientIdLoader).load(patient.id)
    if plans:
        read = [(p.id, p.patient_id) for p in plans]
        record_reads(reader, "TreatmentPlan", read, fields)
    return plans


async def plan_by_id(
    reader: Reader, plan_id: uuid.UUID, fields: Sequence[str]
) -> TreatmentPlan | None:
    reader.require_user()
    plan = await reader.loader(TreatmentPlanByIdLoader).load(plan_id)
    if plan is not None:
        record_reads(reader, "TreatmentPlan", [(plan.id, plan.patient_id)], fields)
    return plan


async def goals(reader: Reader, plan: TreatmentPlan) -> list[TreatmentGoal]:
    return await reader.loader(GoalsByPlanIdLoader).load(plan.id)
