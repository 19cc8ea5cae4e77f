"""Treatment plans: create, update (``PlanChanges``; goals replaced as a list)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models import TreatmentGoal, TreatmentPlan, User
from db.queries import plans as q
from services import validation as v
from services.access import plan_or_not_found
from services.errors import BadInput
from services.patients import require_clinician, writable_patient

MAX_GOALS = 50


@dataclass(frozen=True)
class GoalValues:
    description: str
    target_date: date | None = None
    status: str = "NOT_STARTED"
    interventions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanChanges:
    """The fields of a plan the client changes. Unlike ``PatientChanges``, a
    None means "left as it is": the GraphQL input's fields default to null, and
    no field of a plan may be set to null."""

    title: str | None = None
    status: str | None = None
    # a given list replaces the plan's goals whole
    goals: list[GoalValues] | None = None

    def fields_set(self) -> list[str]:
        """The fields given (not None), in declaration order."""
        pairs = (("title", self.title), ("status", self.status), ("goals", self.goals))
        return [name for name, value in pairs if value is not None]


def _goals(goals: list[GoalValues]) -> list[GoalValues]:
    if len(goals) > MAX_GOALS:
        raise BadInput("goals", f"At most {MAX_GOALS} goals")
    out = []
    for i, g in enumerate(goals):
        name = f"goals[{i}]"
        out.append(
            GoalValues(
                description=v.text(f"{name}.description", g.description, 2000),
                target_date=g.target_date,
                status=v.text(f"{name}.status", g.status, 32),
                interventions=v.strings(
                    f"{name}.interventions", g.interventions, 20, 500
                ),
            )
        )
    return out


def _add_goals(db: AsyncSession, plan_id: uuid.UUID, goals: list[GoalValues]) -> None:
    for position, g in enumerate(goals):
        db.add(
            TreatmentGoal(
                plan_id=plan_id,
                position=position,
                description=g.description,
                target_date=g.target_date,
                status=g.status,
                interventions=g.interventions,
            )
        )


async def create_plan(
    db: AsyncSession,
    user: User,
    patient_id: uuid.UUID,
    title: str,
    status: str,
    goals: list[GoalValues],
) -> TreatmentPlan:
    """A plan for one of the caller's patients, with its goals in order."""
    patient = await writable_patient(db, user, patient_id)
    plan = TreatmentPlan(
        patient_id=patient.id,
        created_by_id=user.id,
        title=v.text("title", title, 200),
        status=v.text("status", status, 32),
    )
    clean = _goals(goals)
    db.add(plan)
    await db.flush()
    _add_goals(db, plan.id, clean)
    await db.flush()
    return plan


async def update_plan(
    db: AsyncSession,
    user: User,
    plan_id: uuid.UUID,
    changes: PlanChanges,
) -> TreatmentPlan:
    """Change title/status; a given goal list replaces the old one whole."""
    require_clinician(user)
    plan = await plan_or_not_found(db, user, plan_id)
    if changes.title is not None:
        plan.title = v.text("title", changes.title, 200)
    if changes.status is not None:
        plan.status = v.text("status", changes.status, 32)
    if changes.goals is not None:
        clean = _goals(changes.goals)
        await q.delete_goals(db, plan.id)
        _add_goals(db, plan.id, clean)
    plan.updated_at = utcnow()
    await db.flush()
    return plan
