"""The mutations of running a practice, as one call each: inviting someone
(the invitation, its audit event, the mail sent once the request committed)
and the audio retention clean-up of one practice (services/writes.py says
what a use-case does)."""

from __future__ import annotations

import uuid

from db.enums import AuditAction, Role
from db.models import Invitation
from services import invitations, mail, practices, retention
from services.writes import Writer


async def invite_user(
    writer: Writer, email: str, role: Role, patient_id: uuid.UUID | None
) -> Invitation:
    inviter = writer.require_user()
    settings = writer.settings
    row, token = await invitations.invite_user(
        writer.db, settings, inviter, email, role, patient_id
    )
    fields = ["email", "role"]
    writer.audit(AuditAction.CREATE, "Invitation", row.id, row.patient_id, fields)
    practice = await practices.practice_of(writer.db, inviter)
    invitation_id, to = str(row.id), row.email
    names = (practice.name, inviter.full_name)

    async def send() -> None:
        mail.in_background(
            mail.send_invitation(settings, invitation_id, to, *names, token)
        )

    writer.after_commit(send)
    return row


async def cleanup_audio(writer: Writer, dry_run: bool) -> retention.CleanupReport:
    """The audio of the practice's long-FAILED sessions, deleted (or, in a
    dry run, counted); the caller administers the practice."""
    admin = practices.require_practice_admin(writer.require_user())
    # the practice's own FAILED-session audio only: orphaned files belong to
    # no practice and stay with the operator (`therapybridge cleanup-audio`)
    report = await retention.cleanup_audio(
        writer.db, writer.settings, dry_run=dry_run, practice_id=admin.practice_id
    )
    if not dry_run:
        writer.audit(AuditAction.DELETE, "AudioFile", None, None, ["cleanup"])
    return report
