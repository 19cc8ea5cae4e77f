"""The mutations of patients, their treatment plans and their consent, as one
call each: the write (services/patients.py, plans.py, consent.py) and its
audit event (services/writes.py says what a use-case does)."""

from __future__ import annotations

import uuid

from db.enums import AuditAction, ConsentKind
from db.models import Patient, TreatmentPlan
from services import consent, patients, plans, practice_reads
from services.patients import PatientChanges
from services.plans import GoalValues, PlanChanges
from services.writes import Writer


async def create_patient(writer: Writer, changes: PatientChanges) -> Patient:
    row = await patients.create_patient(writer.db, writer.require_user(), changes)
    fields = changes.fields_set()
    writer.audit(AuditAction.CREATE, "Patient", row.id, row.id, fields)
    return row


async def update_patient(
    writer: Writer, patient_id: uuid.UUID, changes: PatientChanges
) -> Patient:
    user = writer.require_user()
    row = await patients.update_patient(writer.db, user, patient_id, changes)
    fields = changes.fields_set()
    writer.audit(AuditAction.UPDATE, "Patient", row.id, row.id, fields)
    return row


async def archive_patient(writer: Writer, patient_id: uuid.UUID) -> Patient:
    user = writer.require_user()
    row = await patients.archive_patient(writer.db, user, patient_id)
    writer.audit(AuditAction.UPDATE, "Patient", row.id, row.id, ["archivedAt"])
    return row


async def assign_therapist(
    writer: Writer, patient_id: uuid.UUID, therapist_id: uuid.UUID
) -> Patient:
    user = writer.require_user()
    row = await patients.assign_therapist(writer.db, user, patient_id, therapist_id)
    writer.audit(AuditAction.UPDATE, "Patient", row.id, row.id, ["therapists"])
    return row


async def link_patient_account(
    writer: Writer, patient_id: uuid.UUID, user_id: uuid.UUID
) -> Patient:
    user = writer.require_user()
    row = await patients.link_patient_account(writer.db, user, patient_id, user_id)
    writer.audit(AuditAction.UPDATE, "Patient", row.id, row.id, ["account"])
    return row


async def create_plan(
    writer: Writer,
    patient_id: uuid.UUID,
    title: str,
    status: str,
    goals: list[GoalValues],
) -> TreatmentPlan:
    user = writer.require_user()
    row = await plans.create_plan(writer.db, user, patient_id, title, status, goals)
    fields = ["title", "goals"]
    writer.audit(AuditAction.CREATE, "TreatmentPlan", row.id, row.patient_id, fields)
    return row


async def update_plan(
    writer: Writer, plan_id: uuid.UUID, changes: PlanChanges
) -> TreatmentPlan:
    user = writer.require_user()
    row = await plans.update_plan(writer.db, user, plan_id, changes)
    fields = changes.fields_set()
    writer.audit(AuditAction.UPDATE, "TreatmentPlan", row.id, row.patient_id, fields)
    return row


async def record_consent(
    writer: Writer,
    patient_id: uuid.UUID,
    kind: ConsentKind,
    granted: bool,
    form_version: str | None,
) -> Patient:
    """A grant or withdrawal, audited; the answer's consents include it."""
    patient, row = await consent.record_consent(
        writer.db, writer.require_user(), patient_id, kind, granted, form_version
    )
    fields = [kind.value, "granted" if granted else "withdrawn"]
    writer.audit(AuditAction.CREATE, "Consent", row.id, patient.id, fields)
    # the answer's consents must include this row: reload them
    practice_reads.forget_consents(writer, patient)
    return patient
