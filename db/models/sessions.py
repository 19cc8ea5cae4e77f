"""Therapy sessions, their status history, audio, transcripts and notes."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Identity,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Timestamps, UUIDPk, utcnow
from db.encryption import EncryptedJSON, EncryptedText
from db.enums import Attendance, Mood, MoodTrajectory, NoteSource, SessionStatus
from db.models._types import enum_column, fk


class TherapySession(UUIDPk, Timestamps, Base):
    __tablename__ = "therapy_sessions"
    __table_args__ = (
        # keyset pagination: newest first, id breaks ties
        Index("ix_therapy_sessions_patient_date", "patient_id", "session_date", "id"),
        Index(
            "ix_therapy_sessions_therapist_date", "therapist_id", "session_date", "id"
        ),
    )

    patient_id: Mapped[uuid.UUID] = fk("patients.id")
    therapist_id: Mapped[uuid.UUID] = fk("users.id")
    session_date: Mapped[datetime]
    duration_minutes: Mapped[int | None]
    attendance: Mapped[Attendance] = enum_column(
        Attendance, default=Attendance.SCHEDULED
    )
    status: Mapped[SessionStatus] = enum_column(
        SessionStatus, default=SessionStatus.SCHEDULED
    )
    error_message: Mapped[str | None] = mapped_column(String(500))
    # the stage retrySession resumes from (a SessionStatus value)
    failed_stage: Mapped[str | None] = mapped_column(String(32))


class SessionStatusEvent(Base):
    __tablename__ = "session_status_events"

    # a sequence gives a total order even for events in the same microsecond
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    session_id: Mapped[uuid.UUID] = fk("therapy_sessions.id")
    status: Mapped[SessionStatus] = enum_column(SessionStatus)
    previous_status: Mapped[SessionStatus | None] = enum_column(
        SessionStatus, name="previous_status", nullable=True
    )
    error_message: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AudioFile(UUIDPk, Base):
    __tablename__ = "audio_files"

    session_id: Mapped[uuid.UUID | None] = fk(
        "therapy_sessions.id", nullable=True, ondelete="SET NULL", unique=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_seconds: Mapped[float | None]
    storage_key: Mapped[str] = mapped_column(String(500), unique=True)
    # the file's own AES key, sealed by the PHI key (services/storage.py);
    # rotate-phi-key rewraps it without touching the file
    file_key: Mapped[str | None] = mapped_column(EncryptedText)
    # False only for files stored before encryption, until `migrate` ran
    encrypted: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]


class Transcript(UUIDPk, Base):
    __tablename__ = "transcripts"

    session_id: Mapped[uuid.UUID] = fk("therapy_sessions.id", unique=True)
    text: Mapped[str] = mapped_column(EncryptedText)
    segments: Mapped[list[Any]] = mapped_column(EncryptedJSON, default=list)
    language: Mapped[str | None] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionNotes(UUIDPk, Base):
    """One version of a session's notes; the highest version is current."""

    __tablename__ = "session_notes"
    __table_args__ = (UniqueConstraint("session_id", "version"),)

    session_id: Mapped[uuid.UUID] = fk("therapy_sessions.id")
    version: Mapped[int]
    source: Mapped[NoteSource] = enum_column(NoteSource)
    # key_topics, topic_summary, strategies, action_items, therapist_notes,
    # patient_summary, risk_flags: one encrypted JSON document
    content: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    session_mood: Mapped[Mood] = enum_column(Mood)
    mood_trajectory: Mapped[MoodTrajectory] = enum_column(MoodTrajectory)
    model: Mapped[str | None] = mapped_column(String(100))
    prompt_version: Mapped[str | None] = mapped_column(String(32))
    input_tokens: Mapped[int | None]
    output_tokens: Mapped[int | None]
    cost_usd: Mapped[Decimal | None] = mapped_column(Numeric(12, 6))
    author_id: Mapped[uuid.UUID | None] = fk(
        "users.id", nullable=True, ondelete="SET NULL"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
