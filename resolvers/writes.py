"""Mutation resolvers for patients, sessions, notes and plans: parse IDs,
call one service, record the audit event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from strawberry.types import Info

from db.enums import Attendance
from db.models import Patient, SessionNotes, TherapySession, TreatmentPlan
from resolvers.audit import AuditAction, audit
from resolvers.context import Context
from resolvers.ids import decode_id
from services import patients, plans, sessions
from services.patients import PatientChanges
from services.plans import GoalValues
from services.sessions import NoteChanges

Ctx = Info[Context, Any]


async def create_patient(info: Ctx, changes: PatientChanges) -> Patient:
    ctx = info.context
    row = await patients.create_patient(ctx.db, ctx.require_user(), changes)
    fields = changes.fields_set()
    audit(ctx, AuditAction.CREATE, "Patient", row.id, row.id, fields)
    return row


async def update_patient(info: Ctx, global_id: str, changes: PatientChanges) -> Patient:
    ctx = info.context
    pid = decode_id(global_id, "Patient")
    row = await patients.update_patient(ctx.db, ctx.require_user(), pid, changes)
    fields = changes.fields_set()
    audit(ctx, AuditAction.UPDATE, "Patient", row.id, row.id, fields)
    return row


async def archive_patient(info: Ctx, global_id: str) -> Patient:
    ctx = info.context
    pid = decode_id(global_id, "Patient")
    row = await patients.archive_patient(ctx.db, ctx.require_user(), pid)
    audit(ctx, AuditAction.UPDATE, "Patient", row.id, row.id, ["archivedAt"])
    return row


async def assign_therapist(info: Ctx, patient_id: str, therapist_id: str) -> Patient:
    ctx = info.context
    pid = decode_id(patient_id, "Patient", "patientId")
    tid = decode_id(therapist_id, "User", "therapistId")
    row = await patients.assign_therapist(ctx.db, ctx.require_user(), pid, tid)
    audit(ctx, AuditAction.UPDATE, "Patient", row.id, row.id, ["therapists"])
    return row


async def link_patient_account(info: Ctx, patient_id: str, user_id: str) -> Patient:
    ctx = info.context
    pid = decode_id(patient_id, "Patient", "patientId")
    uid = decode_id(user_id, "User", "userId")
    user = ctx.require_user()
    row = await patients.link_patient_account(ctx.db, user, pid, uid)
    audit(ctx, AuditAction.UPDATE, "Patient", row.id, row.id, ["account"])
    return row


async def schedule_session(
    info: Ctx, patient_id: str, when: datetime, duration: int | None
) -> TherapySession:
    ctx = info.context
    pid = decode_id(patient_id, "Patient", "patientId")
    user = ctx.require_user()
    row = await sessions.schedule_session(ctx.db, user, pid, when, duration)
    fields = ["sessionDate", "durationMinutes"]
    audit(ctx, AuditAction.CREATE, "TherapySession", row.id, row.patient_id, fields)
    return row


async def set_attendance(
    info: Ctx, session_id: str, attendance: Attendance
) -> TherapySession:
    ctx = info.context
    sid = decode_id(session_id, "TherapySession", "sessionId")
    user = ctx.require_user()
    row = await sessions.set_attendance(ctx.db, user, sid, attendance)
    audit(
        ctx,
        AuditAction.UPDATE,
        "TherapySession",
        row.id,
        row.patient_id,
        ["attendance"],
    )
    return row


async def delete_session(info: Ctx, session_id: str) -> bool:
    ctx = info.context
    sid = decode_id(session_id, "TherapySession", "sessionId")
    user = ctx.require_user()
    row, storage_key = await sessions.delete_session(ctx.db, user, sid)
    audit(ctx, AuditAction.DELETE, "TherapySession", row.id, row.patient_id)
    if storage_key is not None:
        key, settings = storage_key, ctx.settings

        async def remove_file() -> None:
            await sessions.remove_stored_file(settings, key)

        ctx.after_commit(remove_file)
    return True


async def update_notes(
    info: Ctx, session_id: str, changes: NoteChanges
) -> SessionNotes:
    ctx = info.context
    sid = decode_id(session_id, "TherapySession", "sessionId")
    fields = changes.fields_set()
    row = await sessions.update_notes(ctx.db, ctx.require_user(), sid, changes)
    session = await ctx.db.get(TherapySession, row.session_id)
    patient_id = session.patient_id if session else None
    audit(ctx, AuditAction.CREATE, "SessionNotes", row.id, patient_id, fields)
    return row


async def create_plan(
    info: Ctx,
    patient_id: str,
    title: str,
    status: str,
    goals: list[GoalValues],
) -> TreatmentPlan:
    ctx = info.context
    pid = decode_id(patient_id, "Patient", "patientId")
    user = ctx.require_user()
    row = await plans.create_plan(ctx.db, user, pid, title, status, goals)
    audit(
        ctx,
        AuditAction.CREATE,
        "TreatmentPlan",
        row.id,
        row.patient_id,
        ["title", "goals"],
    )
    return row


async def update_plan(
    info: Ctx,
    global_id: str,
    title: str | None,
    status: str | None,
    goals: list[GoalValues] | None,
) -> TreatmentPlan:
    ctx = info.context
    plan_id = decode_id(global_id, "TreatmentPlan")
    user = ctx.require_user()
    row = await plans.update_plan(ctx.db, user, plan_id, title, status, goals)
    pairs = (("title", title), ("status", status), ("goals", goals))
    changed = [n for n, x in pairs if x is not None]
    audit(ctx, AuditAction.UPDATE, "TreatmentPlan", row.id, row.patient_id, changed)
    return row
