"""Risk alerts: raised when a session reaches PROCESSED with a MEDIUM or HIGH
flag, acknowledged by a clinician, escalated by email when a HIGH one stays
open for RISK_ESCALATION_MINUTES. Raising, acknowledging and escalating are
audited here (reads are audited by the resolvers)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import RiskAlertStatus, RiskSeverity
from db.models import RiskAlert, SessionNotes, TherapySession, User
from db.queries import alerts as q
from services import validation as v
from services.access import alert_or_not_found
from services.audit import AuditAction, AuditRecord, write_events
from services.errors import Conflict
from services.notes import NoteContent, RiskFlag
from services.patients import require_clinician
from settings import Settings

RANK = {RiskSeverity.LOW: 0, RiskSeverity.MEDIUM: 1, RiskSeverity.HIGH: 2}


def alerting_flags(content: NoteContent) -> list[RiskFlag]:
    return [f for f in content.risk_flags if RANK[f.severity] >= 1]


def flags_of(alert: RiskAlert) -> list[RiskFlag]:
    return [RiskFlag.model_validate(f) for f in alert.flags or []]


def _top(flags: list[RiskFlag]) -> RiskSeverity:
    return max((f.severity for f in flags), key=RANK.__getitem__)


def _covered(flag: RiskFlag, alerts: list[RiskAlert]) -> bool:
    return any(
        f.type == flag.type and RANK[f.severity] >= RANK[flag.severity]
        for alert in alerts
        for f in flags_of(alert)
    )


def _event(
    action: AuditAction, alert: RiskAlert, actor: uuid.UUID | None, fields: list[str]
) -> AuditRecord:
    return AuditRecord(
        actor_id=actor,
        action=action,
        entity_type="RiskAlert",
        entity_id=alert.id,
        patient_id=alert.patient_id,
        fields=tuple(fields),
    )


async def raise_for_notes(
    db: AsyncSession, ts: TherapySession, notes: SessionNotes, content: NoteContent
) -> RiskAlert | None:
    """One alert per session while it is open; flags already acknowledged at
    the same or a higher severity raise nothing new on re-extraction."""
    flags = alerting_flags(content)
    if not flags:
        return None
    existing = await q.alerts_of_session(db, ts.id)
    open_alert = next((a for a in existing if a.status is RiskAlertStatus.OPEN), None)
    if open_alert is not None:
        open_alert.flags = [f.model_dump(mode="json") for f in flags]
        open_alert.severity = max(
            open_alert.severity, _top(flags), key=RANK.__getitem__
        )
        open_alert.notes_id = notes.id
        await db.flush()
        return None
    acknowledged = [a for a in existing if a.status is RiskAlertStatus.ACKNOWLEDGED]
    if all(_covered(f, acknowledged) for f in flags):
        return None
    alert = RiskAlert(
        id=uuid.uuid4(),
        session_id=ts.id,
        patient_id=ts.patient_id,
        therapist_id=ts.therapist_id,
        notes_id=notes.id,
        severity=_top(flags),
        status=RiskAlertStatus.OPEN,
        flags=[f.model_dump(mode="json") for f in flags],
        raised_at=utcnow(),
    )
    db.add(alert)
    await db.flush()
    await q.notify_alert(db, alert.id)
    await write_events(
        db, [_event(AuditAction.CREATE, alert, None, ["severity", "flags"])]
    )
    return alert


async def acknowledge(
    db: AsyncSession, user: User, alert_id: uuid.UUID, note: str | None
) -> RiskAlert:
    """Acknowledge an open alert (NOT_FOUND for an alert the caller cannot read)."""
    require_clinician(user)
    clean = v.text("note", note or "", 2_000, required=False) or None
    alert = await alert_or_not_found(db, user, alert_id, lock=True)
    if alert.status is RiskAlertStatus.ACKNOWLEDGED:
        raise Conflict("The alert is already acknowledged", "id")
    alert.status = RiskAlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by_id = user.id
    alert.acknowledgement_note = clean
    await db.flush()
    return alert


@dataclass(frozen=True)
class Escalation:
    alert_id: uuid.UUID
    session_id: uuid.UUID
    recipients: list[tuple[str, str]]  # (email, first name)


async def escalate_due(
    db: AsyncSession, settings: Settings, now: datetime | None = None
) -> list[Escalation]:
    """Mark the HIGH alerts open past the limit as escalated (once each) and
    say whom to mail; the caller sends after commit."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=settings.risk_escalation_minutes)
    out = []
    events = []
    for alert in await q.due_for_escalation(db, cutoff):
        alert.escalated_at = now
        users = await q.escalation_recipients(db, alert)
        out.append(
            Escalation(
                alert.id, alert.session_id, [(u.email, u.first_name) for u in users]
            )
        )
        events.append(
            _event(AuditAction.ESCALATE, alert, None, ["escalatedAt", "recipients"])
        )
    await db.flush()
    await write_events(db, events)
    return out
