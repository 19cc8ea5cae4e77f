"""Enumerations shared by the models and (wrapped) by the GraphQL schema."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """What an audit event records (the ``audit_events.action`` column)."""

    READ = "READ"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    SIGN = "SIGN"
    EXPORT = "EXPORT"
    ESCALATE = "ESCALATE"
    LOGIN = "LOGIN"
    LOGIN_FAILED = "LOGIN_FAILED"


class Role(enum.StrEnum):
    THERAPIST = "THERAPIST"
    PATIENT = "PATIENT"
    ADMIN = "ADMIN"


class SessionStatus(enum.StrEnum):
    SCHEDULED = "SCHEDULED"
    UPLOADING = "UPLOADING"
    TRANSCRIBING = "TRANSCRIBING"
    TRANSCRIBED = "TRANSCRIBED"
    EXTRACTING_NOTES = "EXTRACTING_NOTES"
    PROCESSED = "PROCESSED"
    FAILED = "FAILED"


class Attendance(enum.StrEnum):
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"


class Mood(enum.StrEnum):
    VERY_LOW = "VERY_LOW"
    LOW = "LOW"
    NEUTRAL = "NEUTRAL"
    POSITIVE = "POSITIVE"
    VERY_POSITIVE = "VERY_POSITIVE"

    @property
    def score(self) -> int:
        return list(Mood).index(self) + 1


class MoodTrajectory(enum.StrEnum):
    IMPROVING = "IMPROVING"
    DECLINING = "DECLINING"
    STABLE = "STABLE"
    FLUCTUATING = "FLUCTUATING"


class RiskSeverity(enum.StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class NoteSource(enum.StrEnum):
    AI = "AI"
    THERAPIST = "THERAPIST"


class ExportFormat(enum.StrEnum):
    PDF = "PDF"
    DOCX = "DOCX"


class ExportKind(enum.StrEnum):
    SESSION_NOTES = "SESSION_NOTES"
    PROGRESS_REPORT = "PROGRESS_REPORT"
    # a PATIENT's own record: summaries, action items, topics, progress
    PATIENT_RECORD = "PATIENT_RECORD"


class JobStatus(enum.StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


class ConsentKind(enum.StrEnum):
    RECORDING = "RECORDING"
    AI_PROCESSING = "AI_PROCESSING"


class RiskAlertStatus(enum.StrEnum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"


class RiskSource(enum.StrEnum):
    SCREEN = "SCREEN"  # the deterministic risk screen
    AI = "AI"  # the model
    BOTH = "BOTH"  # both found it
    THERAPIST = "THERAPIST"  # added by the therapist's edit


class SpeakerRole(enum.StrEnum):
    THERAPIST = "THERAPIST"
    CLIENT = "CLIENT"
    OTHER = "OTHER"
