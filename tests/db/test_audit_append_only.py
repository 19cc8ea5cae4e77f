from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit import AuditAction, AuditRecord, write_events


async def test_audit_events_refuse_update_and_delete(db: AsyncSession) -> None:
    await write_events(
        db,
        [
            AuditRecord(
                action=AuditAction.READ, entity_type="Patient", entity_id=uuid.uuid4()
            )
        ],
    )
    await db.flush()

    for statement in (
        "UPDATE audit_events SET action = 'X'",
        "DELETE FROM audit_events",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.begin_nested():
                await db.execute(text(statement))
