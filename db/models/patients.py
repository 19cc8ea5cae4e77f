"""Patients, their therapists, and treatment plans."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Timestamps, UUIDPk, utcnow
from db.encryption import EncryptedJSON, EncryptedText
from db.models._types import fk

# written as PostgreSQL prints it back, so autogenerate sees no difference
SEARCH_VECTOR_SQL = (
    "to_tsvector('simple'::regconfig, (name::text || ' '::text) || "
    "COALESCE(email, ''::character varying)::text)"
)


class Patient(UUIDPk, Timestamps, Base):
    __tablename__ = "patients"
    __table_args__ = (
        # name and email stay plaintext so search can use this index: word
        # prefixes through a GIN full-text index ('simple' config, no stemming),
        # which needs no extension (pg_trgm is not in every PostgreSQL build)
        Index(
            "ix_patients_search",
            text(SEARCH_VECTOR_SQL),
            postgresql_using="gin",
        ),
        Index("ix_patients_lower_email", text("lower(email)")),
        Index("ix_patients_name_id", "name", "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText)
    # the PATIENT-role account that may read this record
    user_id: Mapped[uuid.UUID | None] = fk(
        "users.id", nullable=True, ondelete="SET NULL", unique=True
    )
    created_by_id: Mapped[uuid.UUID | None] = fk(
        "users.id", nullable=True, ondelete="SET NULL"
    )
    archived_at: Mapped[datetime | None]
    practice_id: Mapped[uuid.UUID] = fk("practices.id", ondelete="RESTRICT")

    @property
    def birth_date(self) -> date | None:
        return date.fromisoformat(self.date_of_birth) if self.date_of_birth else None


class PatientTherapist(Base):
    __tablename__ = "patient_therapists"

    patient_id: Mapped[uuid.UUID] = fk("patients.id", primary_key=True)
    therapist_id: Mapped[uuid.UUID] = fk("users.id", primary_key=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class TreatmentPlan(UUIDPk, Timestamps, Base):
    __tablename__ = "treatment_plans"

    patient_id: Mapped[uuid.UUID] = fk("patients.id")
    created_by_id: Mapped[uuid.UUID | None] = fk(
        "users.id", nullable=True, ondelete="SET NULL"
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default="ACTIVE")


class TreatmentGoal(UUIDPk, Timestamps, Base):
    __tablename__ = "treatment_goals"

    plan_id: Mapped[uuid.UUID] = fk("treatment_plans.id")
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(EncryptedText)
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default="NOT_STARTED")
    interventions: Mapped[list[Any]] = mapped_column(EncryptedJSON, default=list)
