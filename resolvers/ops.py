"""Operations: the audio retention clean-up of one practice (its admins)."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from resolvers.context import Context
from services import practice_writes, retention


async def cleanup_audio(
    info: Info[Context, Any], dry_run: bool
) -> retention.CleanupReport:
    return await practice_writes.cleanup_audio(info.context, dry_run)
