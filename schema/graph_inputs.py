"""Input types of the graph's mutations, and their conversion to plain values."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import strawberry

from db.enums import Mood, MoodTrajectory, RiskSeverity
from services.plans import GoalValues


def provided(obj: Any) -> dict[str, Any]:
    """The fields the client sent (UNSET ones left out), nested inputs as dicts."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is strawberry.UNSET:
            continue
        if isinstance(value, list):
            value = [_plain(x) for x in value]
        out[f.name] = value
    return out


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


@strawberry.input
class CreatePatientInput:
    name: str
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    date_of_birth: date | None = strawberry.UNSET


@strawberry.input(description="Omitted fields stay as they are.")
class UpdatePatientInput:
    name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    date_of_birth: date | None = strawberry.UNSET


@strawberry.input
class ScheduleSessionInput:
    patient_id: strawberry.ID
    session_date: datetime
    duration_minutes: int | None = None


@strawberry.input
class TreatmentGoalInput:
    description: str
    target_date: date | None = None
    status: str = "NOT_STARTED"
    interventions: list[str] = strawberry.field(default_factory=list)

    def values(self) -> GoalValues:
        return GoalValues(
            self.description, self.target_date, self.status, list(self.interventions)
        )


@strawberry.input
class CreateTreatmentPlanInput:
    patient_id: strawberry.ID
    title: str
    status: str = "ACTIVE"
    goals: list[TreatmentGoalInput] = strawberry.field(default_factory=list)


@strawberry.input(description="A given goal list replaces the plan's goals whole.")
class UpdateTreatmentPlanInput:
    title: str | None = None
    status: str | None = None
    goals: list[TreatmentGoalInput] | None = None


@strawberry.input
class StrategyInput:
    name: str
    category: str
    description: str
    context: str | None = None


@strawberry.input
class ActionItemInput:
    task: str
    category: str
    details: str | None = None


@strawberry.input
class RiskFlagInput:
    type: str
    evidence: str
    severity: RiskSeverity


@strawberry.input(description="Omitted fields are copied from the latest version.")
class UpdateNotesInput:
    key_topics: list[str] | None = strawberry.UNSET
    topic_summary: str | None = strawberry.UNSET
    strategies: list[StrategyInput] | None = strawberry.UNSET
    action_items: list[ActionItemInput] | None = strawberry.UNSET
    session_mood: Mood | None = strawberry.UNSET
    mood_trajectory: MoodTrajectory | None = strawberry.UNSET
    therapist_notes: str | None = strawberry.UNSET
    patient_summary: str | None = strawberry.UNSET
    risk_flags: list[RiskFlagInput] | None = strawberry.UNSET
