"""TreatmentPlan and TreatmentGoal."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from resolvers import patients as resolve
from resolvers.context import Context
from resolvers.ids import encode_id
from schema.node import Node, register_node

if TYPE_CHECKING:
    from schema.types.patient import PatientRow


@strawberry.type(name="TreatmentGoal")
class TreatmentGoalType:
    description: str
    target_date: date | None
    status: str

    @strawberry.field
    @staticmethod
    def id(root: strawberry.Parent[models.TreatmentGoal]) -> strawberry.ID:
        return strawberry.ID(encode_id("TreatmentGoal", root.id))

    @strawberry.field
    @staticmethod
    def interventions(root: strawberry.Parent[models.TreatmentGoal]) -> list[str]:
        return [str(i) for i in root.interventions or []]


@strawberry.type(name="TreatmentPlan")
class TreatmentPlanType(Node):
    title: str
    status: str
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    @staticmethod
    async def patient(
        root: strawberry.Parent[models.TreatmentPlan], info: Info[Context, None]
    ) -> Annotated[PatientRow, strawberry.lazy("schema.types.patient")]:
        return await resolve.plan_patient(info, root)

    @strawberry.field(description="In their stated order.")
    @staticmethod
    async def goals(
        root: strawberry.Parent[models.TreatmentPlan], info: Info[Context, None]
    ) -> list[TreatmentGoalRow]:
        return await resolve.plan_goals(info, root)

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.TreatmentPlan | cls)


if TYPE_CHECKING:  # the rows these types are read from (schema/rows.py)
    TreatmentPlanRow: TypeAlias = models.TreatmentPlan
    TreatmentGoalRow: TypeAlias = models.TreatmentGoal
else:
    TreatmentPlanRow = TreatmentPlanType
    TreatmentGoalRow = TreatmentGoalType


register_node("TreatmentPlan", resolve.plan_by_id, models.TreatmentPlan)
