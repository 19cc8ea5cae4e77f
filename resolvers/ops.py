"""Operations: the audio retention clean-up (ADMIN)."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from db.enums import Role
from resolvers.audit import audit
from resolvers.context import Context
from services import retention


async def cleanup_audio(
    info: Info[Context, Any], dry_run: bool
) -> retention.CleanupReport:
    ctx = info.context
    ctx.require_role(Role.ADMIN)
    report = await retention.cleanup_audio(ctx.session, ctx.settings, dry_run=dry_run)
    if not dry_run:
        audit(ctx, "DELETE", "AudioFile", None, None, ["cleanup"])
    return report
