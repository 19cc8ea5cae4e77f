"""What comes after a note is written: addenda to a signed note, risk alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UUIDPk, utcnow
from db.encryption import EncryptedJSON, EncryptedText
from db.enums import RiskAlertStatus, RiskSeverity
from db.models._types import enum_column, fk


class NoteAddendum(UUIDPk, Base):
    """A dated, authored addition to a signed note version (append-only)."""

    __tablename__ = "note_addenda"

    session_id: Mapped[uuid.UUID] = fk("therapy_sessions.id")
    notes_id: Mapped[uuid.UUID] = fk("session_notes.id")
    author_id: Mapped[uuid.UUID | None] = fk(
        "users.id", nullable=True, ondelete="SET NULL"
    )
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RiskAlert(UUIDPk, Base):
    """A processed session's MEDIUM or HIGH risk flags, until acknowledged."""

    __tablename__ = "risk_alerts"
    __table_args__ = (
        # the escalation job's scan: open alerts, oldest first
        Index("ix_risk_alerts_status_raised", "status", "raised_at"),
    )

    session_id: Mapped[uuid.UUID] = fk("therapy_sessions.id")
    patient_id: Mapped[uuid.UUID] = fk("patients.id")
    therapist_id: Mapped[uuid.UUID] = fk("users.id")
    notes_id: Mapped[uuid.UUID | None] = fk(
        "session_notes.id", nullable=True, ondelete="SET NULL"
    )
    severity: Mapped[RiskSeverity] = enum_column(RiskSeverity)
    status: Mapped[RiskAlertStatus] = enum_column(
        RiskAlertStatus, default=RiskAlertStatus.OPEN
    )
    # the flags as stored in the note (type, severity, source, quotes): PHI
    flags: Mapped[list[Any]] = mapped_column(EncryptedJSON, default=list)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalated_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[uuid.UUID | None] = fk(
        "users.id", nullable=True, ondelete="SET NULL"
    )
    acknowledgement_note: Mapped[str | None] = mapped_column(EncryptedText)
