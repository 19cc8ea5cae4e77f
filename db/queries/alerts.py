"""Risk alerts: scoping, the escalation scan, recipients, the NOTIFY."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import RiskAlertStatus, RiskSeverity, Role
from db.models import Patient, RiskAlert, User
from db.queries.pagination import Ordering

ALERT_CHANNEL = "risk_alert"
ALERT_ORDER = Ordering(
    [RiskAlert.raised_at.expression, RiskAlert.id.expression], descending=True
)


def alert_key(alert: RiskAlert) -> list[Any]:
    return [alert.raised_at, alert.id]


async def alerts_of_session(db: AsyncSession, session_id: uuid.UUID) -> list[RiskAlert]:
    stmt = (
        select(RiskAlert)
        .where(RiskAlert.session_id == session_id)
        .order_by(RiskAlert.raised_at)
        .with_for_update()
    )
    return list((await db.execute(stmt)).scalars())


async def due_for_escalation(
    db: AsyncSession, raised_before: datetime, limit: int = 100
) -> list[RiskAlert]:
    """Open HIGH alerts raised before the cut-off and not yet escalated; rows
    another worker is escalating are skipped."""
    stmt = (
        select(RiskAlert)
        .where(
            RiskAlert.status == RiskAlertStatus.OPEN,
            RiskAlert.severity == RiskSeverity.HIGH,
            RiskAlert.escalated_at.is_(None),
            RiskAlert.raised_at < raised_before,
        )
        .order_by(RiskAlert.raised_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await db.execute(stmt)).scalars())


async def escalation_recipients(db: AsyncSession, alert: RiskAlert) -> list[User]:
    """The session's therapist and the administrators of the patient's
    practice (ADMIN, or a THERAPIST with ``is_practice_admin``), active ones
    only: never anyone of another practice."""
    practice_id = (
        select(Patient.practice_id)
        .where(Patient.id == alert.patient_id)
        .scalar_subquery()
    )
    is_admin = (User.role == Role.ADMIN) | User.is_practice_admin.is_(True)
    stmt = select(User).where(
        User.is_active.is_(True),
        User.practice_id == practice_id,
        (User.id == alert.therapist_id) | is_admin,
    )
    return list((await db.execute(stmt.order_by(User.id))).scalars())


async def notify_alert(db: AsyncSession, alert_id: uuid.UUID) -> None:
    """NOTIFY the alert's id (delivered when the transaction commits)."""
    await db.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": ALERT_CHANNEL, "payload": str(alert_id)},
    )
