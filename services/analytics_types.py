"""The results of services.analytics (plain dataclasses the schema renders)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from db.enums import Mood, MoodTrajectory
from db.models import Patient, TherapySession


class TrendPeriod(enum.StrEnum):
    LAST_7_DAYS = "LAST_7_DAYS"
    LAST_30_DAYS = "LAST_30_DAYS"
    LAST_90_DAYS = "LAST_90_DAYS"
    LAST_YEAR = "LAST_YEAR"

    @property
    def days(self) -> int:
        return {"LAST_7_DAYS": 7, "LAST_30_DAYS": 30, "LAST_90_DAYS": 90}.get(
            self.value, 365
        )


class Granularity(enum.StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@dataclass
class PracticeOverview:
    total_patients: int
    active_patients: int
    sessions_this_week: int
    sessions_this_month: int
    upcoming_sessions: int
    completion_rate: float


@dataclass
class TopicCount:
    topic: str
    frequency: int


@dataclass
class WeeklyProgress:
    week_start: date
    sessions_count: int
    avg_mood_score: float | None
    topics: list[TopicCount]


@dataclass
class MoodTrend:
    current: Mood | None
    trajectory: MoodTrajectory | None
    change_percent: float | None


@dataclass
class PatientProgress:
    patient: Patient
    total_sessions: int
    recent_sessions: list[TherapySession]
    mood_trend: MoodTrend
    common_topics: list[TopicCount]
    attendance_rate: float
    weekly: list[WeeklyProgress]


@dataclass
class TrendPoint:
    date: date
    sessions_completed: int
    sessions_cancelled: int
    avg_session_duration_min: float | None
    completion_rate: float | None


@dataclass
class TrendSummary:
    total_sessions: int
    avg_per_day: float
    peak_day: date | None
    completion_rate: float | None


@dataclass
class SessionTrends:
    period: TrendPeriod
    granularity: Granularity
    data_points: list[TrendPoint]
    summary: TrendSummary


@dataclass
class CommonTopic:
    topic: str
    frequency: int
    patients_affected: int
    trend: str
