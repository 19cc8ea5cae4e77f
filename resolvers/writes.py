"""Mutation resolvers for patients, sessions, notes and plans: decode the
IDs, call one write use-case (services/patient_writes.py,
services/session_writes.py) with the context, return its answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from strawberry.types import Info

from db.enums import Attendance
from db.models import Patient, SessionNotes, TherapySession, TreatmentPlan
from resolvers.context import Context
from resolvers.ids import decode_id
from services import patient_writes, session_writes
from services.patients import PatientChanges
from services.plans import GoalValues, PlanChanges
from services.sessions import NoteChanges

Ctx = Info[Context, Any]


async def create_patient(info: Ctx, changes: PatientChanges) -> Patient:
    return await patient_writes.create_patient(info.context, changes)


async def update_patient(info: Ctx, global_id: str, changes: PatientChanges) -> Patient:
    pid = decode_id(global_id, "Patient")
    return await patient_writes.update_patient(info.context, pid, changes)


async def archive_patient(info: Ctx, global_id: str) -> Patient:
    pid = decode_id(global_id, "Patient")
    return await patient_writes.archive_patient(info.context, pid)


async def assign_therapist(info: Ctx, patient_id: str, therapist_id: str) -> Patient:
    pid = decode_id(patient_id, "Patient", "patientId")
    tid = decode_id(therapist_id, "User", "therapistId")
    return await patient_writes.assign_therapist(info.context, pid, tid)


async def link_patient_account(info: Ctx, patient_id: str, user_id: str) -> Patient:
    pid = decode_id(patient_id, "Patient", "patientId")
    uid = decode_id(user_id, "User", "userId")
    return await patient_writes.link_patient_account(info.context, pid, uid)


async def schedule_session(
    info: Ctx, patient_id: str, when: datetime, duration: int | None
) -> TherapySession:
    pid = decode_id(patient_id, "Patient", "patientId")
    return await session_writes.schedule_session(info.context, pid, when, duration)


async def set_attendance(
    info: Ctx, session_id: str, attendance: Attendance
) -> TherapySession:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await session_writes.set_attendance(info.context, sid, attendance)


async def delete_session(info: Ctx, session_id: str) -> bool:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await session_writes.delete_session(info.context, sid)


async def update_notes(
    info: Ctx, session_id: str, changes: NoteChanges
) -> SessionNotes:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await session_writes.update_notes(info.context, sid, changes)


async def create_plan(
    info: Ctx,
    patient_id: str,
    title: str,
    status: str,
    goals: list[GoalValues],
) -> TreatmentPlan:
    pid = decode_id(patient_id, "Patient", "patientId")
    return await patient_writes.create_plan(info.context, pid, title, status, goals)


async def update_plan(info: Ctx, global_id: str, changes: PlanChanges) -> TreatmentPlan:
    plan_id = decode_id(global_id, "TreatmentPlan")
    return await patient_writes.update_plan(info.context, plan_id, changes)
