"""All models, importable from one place (Alembic's target metadata)."""

from db.base import Base
from db.models.analytics import (
    AnalyticsCoverage,
    DailyStats,
    PatientProgress,
    SessionMetrics,
)
from db.models.documents import PersistedDocument
from db.models.ops import AuditEvent, ExportJob
from db.models.patients import Patient, PatientTherapist, TreatmentGoal, TreatmentPlan
from db.models.sessions import (
    AudioFile,
    SessionNotes,
    SessionStatusEvent,
    TherapySession,
    Transcript,
)
from db.models.users import (
    AuthSession,
    EmailVerificationToken,
    LoginAttempt,
    RateLimitCounter,
    User,
)

__all__ = [
    "AnalyticsCoverage",
    "AudioFile",
    "AuditEvent",
    "AuthSession",
    "Base",
    "DailyStats",
    "EmailVerificationToken",
    "ExportJob",
    "LoginAttempt",
    "Patient",
    "PatientProgress",
    "PatientTherapist",
    "PersistedDocument",
    "RateLimitCounter",
    "SessionMetrics",
    "SessionNotes",
    "SessionStatusEvent",
    "TherapySession",
    "Transcript",
    "TreatmentGoal",
    "TreatmentPlan",
    "User",
]
