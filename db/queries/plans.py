"""Treatment plan queries."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import TreatmentGoal, TreatmentPlan, User
from db.queries.scoping import Subject, readable_patient_ids


def readable_plans(user: Subject | None) -> Select[TreatmentPlan]:
    return select(TreatmentPlan).where(
        TreatmentPlan.patient_id.in_(readable_patient_ids(user))
    )


def readable_plan_ids(user: Subject | None) -> Select[Any]:
    return select(TreatmentPlan.id).where(
        TreatmentPlan.patient_id.in_(readable_patient_ids(user))
    )


async def readable_plan(
    db: AsyncSession, user: User, plan_id: uuid.UUID
) -> TreatmentPlan | None:
    stmt = readable_plans(user).where(TreatmentPlan.id == plan_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def delete_goals(db: AsyncSession, plan_id: uuid.UUID) -> None:
    await db.execute(delete(TreatmentGoal).where(TreatmentGoal.plan_id == plan_id))
