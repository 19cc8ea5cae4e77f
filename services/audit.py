"""The audit trail: collected during a request, written in one INSERT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent


async def write_events(session: AsyncSession, events: list[dict[str, Any]]) -> None:
    """Insert the buffered audit events of one request or job in one statement."""
    if events:
        await session.execute(insert(AuditEvent), events)
