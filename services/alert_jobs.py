"""Risk-alert jobs: the escalation scan (every minute) and its emails, sent
one per recipient through the job queue after the scan commits."""

from __future__ import annotations

import base64
import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import alerts, mail
from services.jobs import app, runtime
from settings import Settings

log = logging.getLogger("therapybridge.alert_jobs")


def review_link(settings: Settings, session_id: uuid.UUID) -> str:
    """The frontend's page of the session (its global ID: no clinical text)."""
    raw = base64.urlsafe_b64encode(f"TherapySession:{session_id}".encode())
    return f"{settings.frontend_url.rstrip('/')}/sessions/{raw.decode().rstrip('=')}"


@app.periodic(cron="* * * * *", periodic_id="risk_escalation")
@app.task(name="alerts.escalate", queue="maintenance", queueing_lock="alerts.escalate")
async def escalate_task(timestamp: int | None = None) -> None:
    """Escalate the HIGH alerts left open for RISK_ESCALATION_MINUTES."""
    rt = runtime()
    await escalate(rt.settings, rt.session_factory)


async def escalate(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> int:
    """One scan: mark, commit, then queue one email per recipient."""
    async with session_factory() as db:
        due = await alerts.escalate_due(db, settings)
        await db.commit()
    for escalation in due:
        for email, first_name in escalation.recipients:
            await send_escalation_task.defer_async(
                email=email,
                first_name=first_name,
                session_id=str(escalation.session_id),
            )
    return len(due)


@app.task(name="alerts.send_escalation", queue="maintenance", retry=3)
async def send_escalation_task(email: str, first_name: str, session_id: str) -> None:
    await send_escalation(runtime().settings, email, first_name, uuid.UUID(session_id))


async def send_escalation(
    settings: Settings, email: str, first_name: str, session_id: uuid.UUID
) -> None:
    """The email says only that a session needs review, with a link."""
    link = review_link(settings, session_id)
    if not settings.smtp_host:
        log.warning("SMTP_HOST unset: a risk escalation email was not sent")
        return
    text, html = mail.render(
        "risk_escalation",
        first_name=first_name,
        link=link,
        minutes=settings.risk_escalation_minutes,
    )
    await mail.send_mail(settings, email, "A session needs review", text, html)
    log.info("risk escalation email sent")
