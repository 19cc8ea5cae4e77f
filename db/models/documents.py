"""Persisted GraphQL documents (automatic persisted queries)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class PersistedDocument(Base):
    """A document registered by its SHA-256 (hex), shared by every process."""

    __tablename__ = "persisted_documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.now()
    )
