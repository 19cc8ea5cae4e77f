"""Risk alerts: raised once per session, read and acknowledged only by the
patient's therapists, escalated once by email without clinical text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import RiskAlertStatus, RiskSeverity, RiskSource, Role
from db.models import AuditEvent, RiskAlert, TherapySession, User
from resolvers.ids import encode_id
from services import alerts
from services.alert_jobs import send_escalation
from services.notes import Evidence, NoteContent, RiskFlag
from settings import Settings
from tests.auth.conftest import Mailbox, body_of, smtp  # noqa: F401 (fixture)
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_notes,
    create_patient,
    create_practice,
    create_session,
    create_user,
    token_for,
)

LIST = """
query($s: RiskAlertStatus) { riskAlerts(status: $s) { totalCount edges { node {
  id severity status raisedAt session { id } patient { id }
  flags { type severity source verified quotes { segmentIndex quote verified } }
} } } }
"""
ACK = """
mutation($id: ID!, $n: String) { acknowledgeRiskAlert(id: $id, note: $n) {
  status acknowledgedAt acknowledgementNote acknowledgedBy { id } } }
"""
QUOTE = Evidence(segment_index=2, quote="I want to die", verified=True)
HIGH = RiskFlag(
    type="suicidal ideation",
    evidence="I want to die",
    severity=RiskSeverity.HIGH,
    source=RiskSource.SCREEN,
    quotes=[QUOTE],
    verified=True,
)


def _content(*flags: RiskFlag) -> NoteContent:
    return NoteContent(key_topics=["mood"], risk_flags=list(flags))


async def _raised(
    db: AsyncSession, therapist: User
) -> tuple[TherapySession, RiskAlert]:
    patient = await create_patient(db, therapist)
    ts = await create_session(db, patient, therapist)
    notes = await create_notes(db, ts, content=_content(HIGH).to_dict())
    alert = await alerts.raise_for_notes(db, ts, notes, _content(HIGH))
    assert alert is not None
    return ts, alert


async def test_an_alert_is_listed_and_acknowledged_by_the_sessions_therapist(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    ts, alert = await _raised(db, therapist)
    token = token_for(settings, therapist)

    listed = await gql(LIST, {"s": "OPEN"}, token=token)
    ack = await gql(
        ACK, {"id": encode_id("RiskAlert", alert.id), "n": "Called her"}, token=token
    )
    twice = await gql(ACK, {"id": encode_id("RiskAlert", alert.id)}, token=token)
    still_open = await gql(LIST, {"s": "OPEN"}, token=token)

    (edge,) = listed["data"]["riskAlerts"]["edges"]
    node = edge["node"]
    assert node["severity"] == "HIGH"
    assert node["session"]["id"] == encode_id("TherapySession", ts.id)
    assert node["flags"][0]["source"] == "SCREEN"
    assert node["flags"][0]["quotes"][0]["quote"] == "I want to die"
    done = ack["data"]["acknowledgeRiskAlert"]
    assert done["status"] == "ACKNOWLEDGED"
    assert done["acknowledgementNote"] == "Called her"
    assert done["acknowledgedBy"]["id"] == encode_id("User", therapist.id)
    assert error_codes(twice) == ["CONFLICT"]
    assert still_open["data"]["riskAlerts"]["totalCount"] == 0
    actions = (
        await db.execute(
            select(AuditEvent.action).where(AuditEvent.entity_type == "RiskAlert")
        )
    ).scalars()
    assert {"CREATE", "READ", "UPDATE"} <= set(actions)


async def test_other_therapists_and_patients_never_see_or_acknowledge_it(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    owner = await create_user(db)
    _, alert = await _raised(db, owner)
    other = await create_user(db)
    patient_user = await create_user(db, role=Role.PATIENT)
    gid = encode_id("RiskAlert", alert.id)

    other_list = await gql(LIST, {}, token=token_for(settings, other))
    other_ack = await gql(ACK, {"id": gid}, token=token_for(settings, other))
    other_node = await gql(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": gid},
        token=token_for(settings, other),
    )
    patient_list = await gql(LIST, {}, token=token_for(settings, patient_user))
    patient_ack = await gql(ACK, {"id": gid}, token=token_for(settings, patient_user))

    assert other_list["data"]["riskAlerts"]["totalCount"] == 0
    assert error_codes(other_ack) == ["NOT_FOUND"]
    assert other_node["data"]["node"] is None
    assert error_codes(patient_list) == ["FORBIDDEN"]
    assert error_codes(patient_ack) == ["FORBIDDEN"]


async def test_re_extraction_raises_nothing_for_acknowledged_flags(
    db: AsyncSession,
) -> None:
    therapist = await create_user(db)
    ts, alert = await _raised(db, therapist)
    notes = await create_notes(db, ts, version=2)

    # while open: merged into the same alert
    assert await alerts.raise_for_notes(db, ts, notes, _content(HIGH)) is None
    await alerts.acknowledge(db, therapist, alert.id, None)
    again = await alerts.raise_for_notes(db, ts, notes, _content(HIGH))
    medium = HIGH.model_copy(
        update={"type": "self-harm", "severity": RiskSeverity.MEDIUM}
    )
    low = HIGH.model_copy(update={"type": "abuse", "severity": RiskSeverity.LOW})
    only_low = await alerts.raise_for_notes(db, ts, notes, _content(low))
    new_kind = await alerts.raise_for_notes(db, ts, notes, _content(HIGH, medium))

    assert again is None
    assert only_low is None
    assert new_kind is not None
    assert new_kind.severity is RiskSeverity.HIGH
    rows = (
        await db.execute(select(RiskAlert).where(RiskAlert.session_id == ts.id))
    ).scalars()
    assert len(list(rows)) == 2


async def test_an_unacknowledged_high_alert_is_escalated_once_without_clinical_text(
    db: AsyncSession,
    settings: Settings,
    smtp: Mailbox,  # noqa: F811
) -> None:
    therapist = await create_user(db)
    admin = await create_user(db, role=Role.ADMIN)
    other_admin = await create_user(db, await create_practice(db), role=Role.ADMIN)
    ts, alert = await _raised(db, therapist)
    alert.raised_at = utcnow() - timedelta(minutes=settings.risk_escalation_minutes + 1)
    await db.flush()
    mail_settings = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "frontend_url": "https://app.example.com",
        }
    )

    first = await alerts.escalate_due(db, mail_settings)
    second = await alerts.escalate_due(db, mail_settings)
    for escalation in first:
        for to, name in escalation.recipients:
            await send_escalation(mail_settings, to, name, escalation.session_id)

    (escalated,) = [e for e in first if e.alert_id == alert.id]
    assert {to for to, _ in escalated.recipients} >= {therapist.email, admin.email}
    # another practice's administrator hears nothing of this practice's alert
    assert other_admin.email not in {to for to, _ in escalated.recipients}
    assert [e for e in second if e.alert_id == alert.id] == []
    assert alert.escalated_at is not None
    message = await smtp.wait_for(therapist.email)
    text = body_of(message)
    assert message["Subject"] == "A session needs review"
    assert (
        f"https://app.example.com/sessions/{encode_id('TherapySession', ts.id)}" in text
    )
    for clinical in ("die", "suicid", "risk flag", "HIGH"):
        assert clinical not in text
    escalations = (
        await db.execute(select(AuditEvent).where(AuditEvent.action == "ESCALATE"))
    ).scalars()
    assert [e.entity_id for e in escalations] == [alert.id]


@pytest.mark.parametrize("severity", [RiskSeverity.LOW])
async def test_low_flags_raise_no_alert(
    db: AsyncSession, severity: RiskSeverity
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    ts = await create_session(db, patient, therapist)
    notes = await create_notes(db, ts)
    flag = HIGH.model_copy(update={"severity": severity})
    assert await alerts.raise_for_notes(db, ts, notes, _content(flag)) is None
    assert alert_status_values() == {"OPEN", "ACKNOWLEDGED"}


def alert_status_values() -> set[str]:
    return {s.value for s in RiskAlertStatus}
