"""Patient resolvers: root fields, nested fields and node lookup. Each turns
the query into plain data and calls one read service
(services/patient_reads.py)."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.types import Info

from db.models import Patient, TreatmentGoal, TreatmentPlan, User
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.pagination import page_args
from resolvers.reads import phi_selected
from services import patient_reads as reads
from services.errors import NotFound
from services.reads import Counted, found_or_raise

__all__ = ["Counted", "found_or_raise"]

Ctx = Info[Context, Any]


async def patient(info: Ctx, global_id: str) -> Patient | None:
    pid = decode_id(global_id, "Patient")
    found = await patient_by_id(info, pid)
    if found is None:
        # unknown and someone else's look the same, so IDs cannot be probed
        raise NotFound("Patient")
    return found


async def patient_by_id(info: Ctx, pid: uuid.UUID) -> Patient | None:
    fields = phi_selected(info, "Patient")
    return await reads.patient_by_id(info.context, pid, fields)


async def patients(
    info: Ctx,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    search: str | None,
    include_archived: bool | None,
) -> Counted:
    args = page_args(first, after, last, before)
    fields = phi_selected(info, "Patient", "edges", "node")
    return await reads.patients_page(
        info.context, args, search, bool(include_archived), fields
    )


async def therapists(info: Ctx, root: Patient) -> list[User]:
    return await reads.therapists(info.context, root)


async def treatment_plans(info: Ctx, root: Patient) -> list[TreatmentPlan]:
    fields = phi_selected(info, "TreatmentPlan")
    return await reads.treatment_plans(info.context, root, fields)


async def plan_by_id(info: Ctx, plan_id: uuid.UUID) -> TreatmentPlan | None:
    fields = phi_selected(info, "TreatmentPlan")
    return await reads.plan_by_id(info.context, plan_id, fields)


async def plan_patient(info: Ctx, root: TreatmentPlan) -> Patient:
    return found_or_raise(await patient_by_id(info, root.patient_id), "Patient")


async def plan_goals(info: Ctx, root: TreatmentPlan) -> list[TreatmentGoal]:
    return await reads.goals(info.context, root)
