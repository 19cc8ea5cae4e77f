"""Persisted documents: read one by hash, register one (first writer wins)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import PersistedDocument


async def persisted_document(db: AsyncSession, sha256: str) -> str | None:
    stmt = select(PersistedDocument.document).where(PersistedDocument.sha256 == sha256)
    return (await db.execute(stmt)).scalar_one_or_none()


async def register_document(db: AsyncSession, sha256: str, document: str) -> None:
    """Store ``document`` under its hash; a concurrent registration of the same
    hash (necessarily the same text) is a no-op."""
    stmt = (
        insert(PersistedDocument)
        .values(sha256=sha256, document=document)
        .on_conflict_do_nothing(index_elements=[PersistedDocument.sha256])
    )
    await db.execute(stmt)
