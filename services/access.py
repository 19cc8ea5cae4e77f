"""NOT_FOUND for a row the caller may not read: the raising side of the
lookups in ``db/queries/scoping.py``, one function per entity.

Another owner's object and one that does not exist give the same error, so
IDs cannot be probed. A caller that wants None instead (a ``node`` field, an
export job finding its subject gone) calls the ``readable_<entity>`` lookup.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Patient, RiskAlert, TherapySession, TreatmentPlan, User
from db.queries import scoping
from db.queries.pipeline import lock_session
from services.errors import NotFound


async def patient_or_not_found(
    db: AsyncSession, user: User, patient_id: uuid.UUID
) -> Patient:
    patient = await scoping.readable_patient(db, user, patient_id)
    if patient is None:
        raise NotFound("Patient")
    return patient


async def session_or_not_found(
    db: AsyncSession, user: User, session_id: uuid.UUID, *, lock: bool = False
) -> TherapySession:
    """With ``lock``, the row is then locked for this transaction and re-read
    (one transition at a time; NOT_FOUND if it was deleted meanwhile)."""
    found = await scoping.readable_session(db, user, session_id)
    if found is None:
        raise NotFound("Session")
    if not lock:
        return found
    locked = await lock_session(db, session_id)
    if locked is None:
        raise NotFound("Session")
    return locked


async def plan_or_not_found(
    db: AsyncSession, user: User, plan_id: uuid.UUID
) -> TreatmentPlan:
    plan = await scoping.readable_plan(db, user, plan_id)
    if plan is None:
        raise NotFound("TreatmentPlan")
    return plan


async def alert_or_not_found(
    db: AsyncSession, user: User, alert_id: uuid.UUID, *, lock: bool = False
) -> RiskAlert:
    alert = await scoping.readable_alert(db, user, alert_id, lock=lock)
    if alert is None:
        raise NotFound("RiskAlert")
    return alert
