"""Input types of the graph's mutations, and their conversion to the
services' typed values (``changes()``, ``values()``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

import strawberry

from db.enums import Mood, MoodTrajectory, RiskSeverity
from services.changes import UNSET, Unset
from services.patients import PatientChanges
from services.plans import GoalValues, PlanChanges
from services.sessions import (
    ActionItemValues,
    NoteChanges,
    RiskFlagValues,
    StrategyValues,
)

T = TypeVar("T")
In = TypeVar("In")
Out = TypeVar("Out")


def _set(value: T) -> T | Unset:
    """A field the client left out (strawberry's UNSET) as the services' UNSET."""
    return UNSET if value is strawberry.UNSET else value


def _items(
    value: list[In] | None, values: Callable[[In], Out]
) -> list[Out] | Unset | None:
    """A list of nested inputs the client may leave out, as service values."""
    if value is strawberry.UNSET:
        return UNSET
    return None if value is None else [values(x) for x in value]


@strawberry.input
class CreatePatientInput:
    name: str
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    date_of_birth: date | None = strawberry.UNSET

    def changes(self) -> PatientChanges:
        return PatientChanges(
            name=self.name,
            email=_set(self.email),
            phone=_set(self.phone),
            date_of_birth=_set(self.date_of_birth),
        )


@strawberry.input(description="Omitted fields stay as they are.")
class UpdatePatientInput:
    name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    date_of_birth: date | None = strawberry.UNSET

    def changes(self) -> PatientChanges:
        return PatientChanges(
            name=_set(self.name),
            email=_set(self.email),
            phone=_set(self.phone),
            date_of_birth=_set(self.date_of_birth),
        )


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

    def changes(self) -> PlanChanges:
        goals = None if self.goals is None else [g.values() for g in self.goals]
        return PlanChanges(title=self.title, status=self.status, goals=goals)


@strawberry.input
class StrategyInput:
    name: str
    category: str
    description: str
    context: str | None = None

    def values(self) -> StrategyValues:
        return StrategyValues(self.name, self.category, self.description, self.context)


@strawberry.input
class ActionItemInput:
    task: str
    category: str
    details: str | None = None

    def values(self) -> ActionItemValues:
        return ActionItemValues(self.task, self.category, self.details)


@strawberry.input
class RiskFlagInput:
    type: str
    evidence: str
    severity: RiskSeverity

    def values(self) -> RiskFlagValues:
        return RiskFlagValues(self.type, self.evidence, self.severity)


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

    def changes(self) -> NoteChanges:
        return NoteChanges(
            key_topics=_set(self.key_topics),
            topic_summary=_set(self.topic_summary),
            strategies=_items(self.strategies, StrategyInput.values),
            action_items=_items(self.action_items, ActionItemInput.values),
            session_mood=_set(self.session_mood),
            mood_trajectory=_set(self.mood_trajectory),
            therapist_notes=_set(self.therapist_notes),
            patient_summary=_set(self.patient_summary),
            risk_flags=_items(self.risk_flags, RiskFlagInput.values),
        )
