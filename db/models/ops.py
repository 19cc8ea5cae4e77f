"""Audit events and export jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Uuid, true
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UUIDPk, utcnow
from db.encryption import EncryptedText
from db.enums import ExportFormat, ExportKind, JobStatus
from db.models._types import enum_column, fk


class AuditEvent(UUIDPk, Base):
    """Append-only: a trigger refuses UPDATE and DELETE (see the migration)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_patient_at", "patient_id", "at"),
        Index("ix_audit_events_at", "at"),
    )

    at: Mapped[datetime] = mapped_column(default=utcnow)
    # no foreign keys: the record must outlive what it describes
    actor_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(32))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[uuid.UUID | None]
    # a READ of several objects (a list): every one of them, entity_id null
    entity_ids: Mapped[list[uuid.UUID] | None] = mapped_column(ARRAY(Uuid))
    patient_id: Mapped[uuid.UUID | None]
    fields: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(64))


class ExportJob(UUIDPk, Base):
    __tablename__ = "export_jobs"

    requested_by_id: Mapped[uuid.UUID] = fk("users.id")
    patient_id: Mapped[uuid.UUID] = fk("patients.id")
    session_id: Mapped[uuid.UUID | None] = fk(
        "therapy_sessions.id", nullable=True, ondelete="SET NULL"
    )
    kind: Mapped[ExportKind] = enum_column(ExportKind)
    format: Mapped[ExportFormat] = enum_column(ExportFormat)
    status: Mapped[JobStatus] = enum_column(JobStatus, default=JobStatus.PENDING)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    storage_key: Mapped[str | None] = mapped_column(String(500))
    # the file's own AES key sealed by the PHI key, as for audio_files
    file_key: Mapped[str | None] = mapped_column(EncryptedText)
    encrypted: Mapped[bool] = mapped_column(default=True, server_default=true())
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
