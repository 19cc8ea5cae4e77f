"""Patient resolvers: root fields, nested fields and node lookup."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from strawberry.types import Info

from db.loaders import (
    GoalsByPlanIdLoader,
    PatientByIdLoader,
    TherapistsByPatientIdLoader,
    TreatmentPlanByIdLoader,
    TreatmentPlansByPatientIdLoader,
)
from db.models import Patient, TreatmentGoal, TreatmentPlan, User
from db.queries.pagination import Page, count, paginate
from db.queries.patients import PATIENT_ORDER, patient_key, patients_stmt
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.pagination import page_args
from resolvers.reads import audit_reads
from services.errors import BadInput, NotFound

Counted = tuple[Page[Any], Callable[[], Awaitable[int]]]
T = TypeVar("T")
MAX_SEARCH = 200


def found_or_raise(found: T | None, what: str) -> T:
    """A non-null nested object; scoping may hide it (e.g. unassigned since)."""
    if found is None:
        raise NotFound(what)
    return found


def audit_patients(info: Info[Context, Any], rows: list[Patient], *path: str) -> None:
    audit_reads(info, "Patient", ((p.id, p.id) for p in rows), *path)


async def patient(info: Info[Context, Any], global_id: str) -> Patient | None:
    info.context.require_user()
    pid = decode_id(global_id, "Patient")
    found = await patient_by_id(info, pid)
    if found is None:
        # unknown and someone else's look the same, so IDs cannot be probed
        raise NotFound("Patient")
    return found


async def patient_by_id(info: Info[Context, Any], pid: uuid.UUID) -> Patient | None:
    found = await info.context.loader(PatientByIdLoader).load(pid)
    if found is not None:
        audit_patients(info, [found])
    return found


async def patients(
    info: Info[Context, Any],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    search: str | None,
    include_archived: bool | None,
) -> Counted:
    ctx = info.context
    user = ctx.require_user()
    args = page_args(first, after, last, before)
    if search is not None and len(search) > MAX_SEARCH:
        raise BadInput("search", f"search is limited to {MAX_SEARCH} characters")
    stmt = patients_stmt(user, search, bool(include_archived))
    page = await paginate(ctx.db, stmt, PATIENT_ORDER, args, patient_key)
    audit_patients(info, page.rows, "edges", "node")
    return page, lambda: count(ctx.db, stmt)


async def therapists(info: Info[Context, Any], root: Patient) -> list[User]:
    return await info.context.loader(TherapistsByPatientIdLoader).load(root.id)


async def treatment_plans(
    info: Info[Context, Any], root: Patient
) -> list[TreatmentPlan]:
    plans = await info.context.loader(TreatmentPlansByPatientIdLoader).load(root.id)
    audit_reads(info, "TreatmentPlan", ((p.id, p.patient_id) for p in plans))
    return plans


async def plan_by_id(
    info: Info[Context, Any], plan_id: uuid.UUID
) -> TreatmentPlan | None:
    info.context.require_user()
    plan = await info.context.loader(TreatmentPlanByIdLoader).load(plan_id)
    if plan is not None:
        audit_reads(info, "TreatmentPlan", [(plan.id, plan.patient_id)])
    return plan


async def plan_patient(info: Info[Context, Any], root: TreatmentPlan) -> Patient:
    return found_or_raise(await patient_by_id(info, root.patient_id), "Patient")


async def plan_goals(
    info: Info[Context, Any], root: TreatmentPlan
) -> list[TreatmentGoal]:
    return await info.context.loader(GoalsByPlanIdLoader).load(root.id)
