"""Outgoing mail: Jinja2 templates (package data) sent with aiosmtplib."""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode

import aiosmtplib
from jinja2 import Environment, PackageLoader, select_autoescape

from settings import Settings

log = logging.getLogger("therapybridge.mail")

_env = Environment(
    loader=PackageLoader("services", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",)),
    keep_trailing_newline=True,
)

# strong references to mails being sent in the background
_pending: set[asyncio.Task[None]] = set()


def render(name: str, **values: Any) -> tuple[str, str]:
    """The text and HTML bodies of template ``name``."""
    text = _env.get_template(f"{name}.txt.j2").render(**values)
    html = _env.get_template(f"{name}.html.j2").render(**values)
    return text, html


def verification_link(settings: Settings, token: str) -> str:
    base = settings.frontend_url.rstrip("/")
    return f"{base}/verify-email?{urlencode({'token': token})}"


async def send_mail(
    settings: Settings, to: str, subject: str, text: str, html: str
) -> None:
    """Send one multipart (text + HTML) message through the configured SMTP server."""
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        use_tls=settings.smtp_use_tls,
        timeout=30,
    )


async def send_verification(
    settings: Settings, user_id: str, to: str, first_name: str, token: str
) -> None:
    """Mail the verification link (or, without SMTP outside production, log it)."""
    link = verification_link(settings, token)
    if not settings.smtp_host:
        if settings.is_production:
            log.warning(
                "SMTP_HOST unset: verification mail for user %s not sent", user_id
            )
        else:
            # development convenience, documented; never in production
            log.info("verification link for user %s: %s", user_id, link)
        return
    hours = settings.email_verification_expire_hours
    text, html = render("verify_email", first_name=first_name, link=link, hours=hours)
    await send_mail(settings, to, "Confirm your email address", text, html)
    log.info("verification mail sent to user %s", user_id)


def invitation_link(settings: Settings, token: str) -> str:
    base = settings.frontend_url.rstrip("/")
    return f"{base}/accept-invitation?{urlencode({'token': token})}"


async def send_invitation(
    settings: Settings,
    invitation_id: str,
    to: str,
    practice: str,
    inviter: str,
    token: str,
) -> None:
    """Mail an invitation link (or, without SMTP outside production, log it)."""
    link = invitation_link(settings, token)
    if not settings.smtp_host:
        if settings.is_production:
            log.warning("SMTP_HOST unset: invitation mail %s not sent", invitation_id)
        else:
            # development convenience, documented; never in production
            log.info("invitation link for invitation %s: %s", invitation_id, link)
        return
    hours = settings.invitation_expire_hours
    text, html = render(
        "invitation", practice=practice, inviter=inviter, link=link, hours=hours
    )
    await send_mail(settings, to, f"Your invitation to {practice}", text, html)
    log.info("invitation mail sent for invitation %s", invitation_id)


def in_background(coro: Any) -> None:
    """Run a mail coroutine without making the request wait for the SMTP server
    (and so without a timing difference that would reveal which addresses exist).
    """
    task: asyncio.Task[None] = asyncio.ensure_future(_logged(coro))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def _logged(coro: Any) -> None:
    try:
        await coro
    except Exception as exc:
        log.error("sending mail failed: %s", type(exc).__name__)


async def drain() -> None:
    """Wait for the mails still being sent (shutdown, tests)."""
    while _pending:
        await asyncio.gather(*list(_pending), return_exceptions=True)
