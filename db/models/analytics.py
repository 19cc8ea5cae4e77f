"""Per-session metrics and the precomputed analytics rows."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UUIDPk, utcnow
from db.enums import Attendance
from db.models._types import enum_column, fk


class SessionMetrics(Base):
    """Written when a session's notes are extracted; the analytics source."""

    __tablename__ = "session_metrics"
    __table_args__ = (
        Index("ix_session_metrics_therapist_date", "therapist_id", "session_date"),
        Index("ix_session_metrics_patient_date", "patient_id", "session_date"),
    )

    session_id: Mapped[uuid.UUID] = fk("therapy_sessions.id", primary_key=True)
    therapist_id: Mapped[uuid.UUID] = fk("users.id")
    patient_id: Mapped[uuid.UUID] = fk("patients.id")
    session_date: Mapped[datetime]
    attendance: Mapped[Attendance] = enum_column(Attendance)
    duration_minutes: Mapped[int | None]
    mood_score: Mapped[int | None]
    topics: Mapped[list[str]] = mapped_column(JSONB, default=list)
    strategies_count: Mapped[int] = mapped_column(default=0)
    action_items_count: Mapped[int] = mapped_column(default=0)
    has_risk_flags: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DailyStats(UUIDPk, Base):
    __tablename__ = "daily_stats"
    __table_args__ = (UniqueConstraint("therapist_id", "stat_date"),)

    therapist_id: Mapped[uuid.UUID] = fk("users.id")
    stat_date: Mapped[date] = mapped_column(Date)
    sessions_total: Mapped[int] = mapped_column(default=0)
    sessions_completed: Mapped[int] = mapped_column(default=0)
    sessions_cancelled: Mapped[int] = mapped_column(default=0)
    sessions_no_show: Mapped[int] = mapped_column(default=0)
    total_duration_minutes: Mapped[int] = mapped_column(default=0)
    duration_count: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PatientProgress(UUIDPk, Base):
    """A weekly snapshot of one patient's progress with one therapist."""

    __tablename__ = "patient_progress"
    __table_args__ = (
        UniqueConstraint("patient_id", "therapist_id", "week_start_date"),
        Index("ix_patient_progress_patient_week", "patient_id", "week_start_date"),
        Index("ix_patient_progress_therapist_week", "therapist_id", "week_start_date"),
    )

    patient_id: Mapped[uuid.UUID] = fk("patients.id")
    therapist_id: Mapped[uuid.UUID] = fk("users.id")
    week_start_date: Mapped[date] = mapped_column(Date)
    sessions_count: Mapped[int] = mapped_column(default=0)
    mood_sum: Mapped[int] = mapped_column(default=0)
    mood_count: Mapped[int] = mapped_column(default=0)
    topics: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnalyticsCoverage(Base):
    """How far a therapist's stored rows are complete and current.

    daily_stats rows of the therapist dated before ``days_through`` and
    patient_progress rows of the therapist for weeks starting before
    ``weeks_through`` may be used; everything from there on is aggregated
    live. Triggers (migration 0003) move the marks back when a session, its
    metrics or an assignment changes; the aggregation moves them forward.
    """

    __tablename__ = "analytics_coverage"

    therapist_id: Mapped[uuid.UUID] = fk("users.id", primary_key=True)
    days_through: Mapped[date | None] = mapped_column(Date)
    weeks_through: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
