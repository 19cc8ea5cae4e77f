"""Operations: the audio retention clean-up of one practice (its admins)."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from resolvers.audit import AuditAction, audit
from resolvers.context import Context
from services import practices, retention


async def cleanup_audio(
    info: Info[Context, Any], dry_run: bool
) -> retention.CleanupReport:
    ctx = info.context
    admin = practices.require_practice_admin(ctx.require_user())
    # the practice's own FAILED-session audio only: orphaned files belong to
    # no practice and stay with the operator (`therapybridge cleanup-audio`)
    report = await retention.cleanup_audio(
        ctx.db, ctx.settings, dry_run=dry_run, practice_id=admin.practice_id
    )
    if not dry_run:
        audit(ctx, AuditAction.DELETE, "AudioFile", None, None, ["cleanup"])
    return report
