"""Root fields and mutations for patients and their treatment plans."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import patients as resolve
from resolvers import writes
from resolvers.context import Context
from schema.connection import Connection
from schema.graph_inputs import (
    CreatePatientInput,
    CreateTreatmentPlanInput,
    UpdatePatientInput,
    UpdateTreatmentPlanInput,
)
from schema.permissions import IsAuthenticated, requires
from schema.types.patient import PatientRow
from schema.types.treatment_plan import TreatmentPlanRow


@strawberry.type
class PatientQuery:
    @strawberry.field(
        description="A patient the caller may see, or null.",
        extensions=requires(IsAuthenticated),
    )
    async def patient(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> PatientRow | None:
        return await resolve.patient(info, id)

    @strawberry.field(
        description="The caller's patients by name, then id. `search` matches "
        "word prefixes of name and email, case-insensitively.",
        extensions=requires(IsAuthenticated),
    )
    async def patients(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
        include_archived: bool | None = False,
    ) -> Connection[PatientRow]:
        page, counter = await resolve.patients(
            info, first, after, last, before, search, include_archived
        )
        return Connection.from_page(page, counter)


@strawberry.type
class PatientMutation:
    @strawberry.mutation(description="A new patient; the caller becomes its therapist.")
    async def create_patient(
        self, info: Info[Context, None], input: CreatePatientInput
    ) -> PatientRow:
        return await writes.create_patient(info, input.changes())

    @strawberry.mutation
    async def update_patient(
        self, info: Info[Context, None], id: strawberry.ID, input: UpdatePatientInput
    ) -> PatientRow:
        return await writes.update_patient(info, id, input.changes())

    @strawberry.mutation(description="Soft: leaves default lists, keeps history.")
    async def archive_patient(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> PatientRow:
        return await writes.archive_patient(info, id)

    @strawberry.mutation(description="ADMIN only; the user must be a THERAPIST.")
    async def assign_therapist(
        self,
        info: Info[Context, None],
        patient_id: strawberry.ID,
        therapist_id: strawberry.ID,
    ) -> PatientRow:
        return await writes.assign_therapist(info, patient_id, therapist_id)

    @strawberry.mutation(description="A PATIENT-role user may then read this record.")
    async def link_patient_account(
        self,
        info: Info[Context, None],
        patient_id: strawberry.ID,
        user_id: strawberry.ID,
    ) -> PatientRow:
        return await writes.link_patient_account(info, patient_id, user_id)

    @strawberry.mutation
    async def create_treatment_plan(
        self, info: Info[Context, None], input: CreateTreatmentPlanInput
    ) -> TreatmentPlanRow:
        goals = [g.values() for g in input.goals]
        return await writes.create_plan(
            info, input.patient_id, input.title, input.status, goals
        )

    @strawberry.mutation
    async def update_treatment_plan(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: UpdateTreatmentPlanInput,
    ) -> TreatmentPlanRow:
        return await writes.update_plan(info, id, input.changes())
