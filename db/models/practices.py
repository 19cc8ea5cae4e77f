"""Practices (workspaces), invitations into them, and patient consent."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Timestamps, UUIDPk, utcnow
from db.enums import ConsentKind, Role
from db.models._types import enum_column, fk

# the practice the migration moves existing data into (and `create-admin`
# uses when no other is named)
DEFAULT_PRACTICE_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


class Practice(UUIDPk, Timestamps, Base):
    """A workspace: every user and every patient belongs to exactly one."""

    __tablename__ = "practices"

    name: Mapped[str] = mapped_column(String(200))


class Invitation(UUIDPk, Base):
    """A single-use link that creates an account in a practice."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_practice_email", "practice_id", "email"),)

    practice_id: Mapped[uuid.UUID] = fk("practices.id")
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[Role] = enum_column(Role)
    # a PATIENT invitation links this record to the new account
    patient_id: Mapped[uuid.UUID | None] = fk("patients.id", nullable=True)
    invited_by_id: Mapped[uuid.UUID | None] = fk(
        "users.id", nullable=True, ondelete="SET NULL"
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    # set when a newer invitation to the same address replaced this one
    revoked_at: Mapped[datetime | None]


class PatientConsent(UUIDPk, Base):
    """Append-only (a trigger refuses UPDATE; rows go only with their patient):
    every grant and withdrawal is kept; the newest row of a kind is current."""

    __tablename__ = "patient_consents"
    __table_args__ = (
        Index("ix_patient_consents_current", "patient_id", "kind", "recorded_at"),
    )

    patient_id: Mapped[uuid.UUID] = fk("patients.id")
    kind: Mapped[ConsentKind] = enum_column(ConsentKind)
    granted: Mapped[bool]
    form_version: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[uuid.UUID | None] = fk(
        "users.id", nullable=True, ondelete="SET NULL"
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
