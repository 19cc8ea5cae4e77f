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
from db.models.practices import (
    DEFAULT_PRACTICE_ID,
    Invitation,
    PatientConsent,
    Practice,
)
from db.models.review import NoteAddendum, RiskAlert
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
    "DEFAULT_PRACTICE_ID",
    "AnalyticsCoverage",
    "AudioFile",
    "AuditEvent",
    "AuthSession",
    "Base",
    "DailyStats",
    "EmailVerificationToken",
    "ExportJob",
    "Invitation",
    "LoginAttempt",
    "NoteAddendum",
    "Patient",
    "PatientConsent",
    "PatientProgress",
    "PatientTherapist",
    "PersistedDocument",
    "Practice",
    "RateLimitCounter",
    "RiskAlert",
    "SessionMetrics",
    "SessionNotes",
    "SessionStatusEvent",
    "TherapySession",
    "Transcript",
    "TreatmentGoal",
    "TreatmentPlan",
    "User",
]
