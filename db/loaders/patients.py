"""Dataloaders of users, patients and what hangs off a patient: their
therapists, treatment plans and goals, risk alerts and export jobs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from db.loaders.base import ScopedLoader, many_each, one_each
from db.models import (
    ExportJob,
    Patient,
    PatientTherapist,
    RiskAlert,
    TreatmentGoal,
    TreatmentPlan,
    User,
)
from db.queries.scoping import (
    Subject,
    readable_alerts,
    readable_export_jobs,
    readable_patient_ids,
    readable_patients,
    readable_plan_ids,
    readable_plans,
    readable_users,
)


class UserByIdLoader(ScopedLoader[uuid.UUID, User | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[User | None]:
        stmt = readable_users(self.user).where(User.id.in_(keys))
        found: dict[Any, User] = {
            u.id: u for u in (await self.db.execute(stmt)).scalars()
        }
        return [found.get(k) for k in keys]


class PatientByIdLoader(ScopedLoader[uuid.UUID, Patient | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[Patient | None]:
        return await one_each(self, readable_patients, Patient.id, keys)


class TherapistsByPatientIdLoader(ScopedLoader[uuid.UUID, list[User]]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[list[User]]:
        stmt = (
            select(PatientTherapist.patient_id, User)
            .join(User, User.id == PatientTherapist.therapist_id)
            .where(
                PatientTherapist.patient_id.in_(keys),
                PatientTherapist.patient_id.in_(readable_patient_ids(self.user)),
            )
            .order_by(User.last_name, User.first_name, User.id)
        )
        grouped: dict[uuid.UUID, list[User]] = {k: [] for k in keys}
        for pid, user in (await self.db.execute(stmt)).all():
            grouped[pid].append(user)
        return [grouped[k] for k in keys]


class TreatmentPlanByIdLoader(ScopedLoader[uuid.UUID, TreatmentPlan | None]):
    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[TreatmentPlan | None]:
        return await one_each(self, readable_plans, TreatmentPlan.id, keys)


class TreatmentPlansByPatientIdLoader(ScopedLoader[uuid.UUID, list[TreatmentPlan]]):
    """Newest first."""

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[TreatmentPlan]]:
        def build(user: Subject | None) -> Select[Any]:
            return readable_plans(user).order_by(
                TreatmentPlan.created_at.desc(), TreatmentPlan.id.desc()
            )

        return await many_each(self, build, TreatmentPlan.patient_id, keys)


class GoalsByPlanIdLoader(ScopedLoader[uuid.UUID, list[TreatmentGoal]]):
    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[TreatmentGoal]]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(TreatmentGoal)
                .where(TreatmentGoal.plan_id.in_(readable_plan_ids(user)))
                .order_by(TreatmentGoal.position, TreatmentGoal.id)
            )

        return await many_each(self, build, TreatmentGoal.plan_id, keys)


class ExportJobByIdLoader(ScopedLoader[uuid.UUID, ExportJob | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[ExportJob | None]:
        return await one_each(self, readable_export_jobs, ExportJob.id, keys)


class RiskAlertByIdLoader(ScopedLoader[uuid.UUID, RiskAlert | None]):
    """Alerts scoped like their patient, never for the PATIENT role."""

    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[RiskAlert | None]:
        return await one_each(self, readable_alerts, RiskAlert.id, keys)
