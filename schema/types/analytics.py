"""Analytics types: the practice overview, trends, topics, patient progress.

Roots are the plain dataclasses of services.analytics; definitions of every
figure are in the README, section "Analytics".
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypeAlias

import strawberry
from strawberry.types import Info

from db.enums import Mood, MoodTrajectory
from resolvers import analytics as resolve
from resolvers.context import Context
from resolvers.practices import therapist_activity
from schema.types.patient import PatientType
from schema.types.practice import TherapistActivityRow
from schema.types.session import TherapySessionRow
from services import analytics_types as records
from services.analytics import Granularity, TrendPeriod

strawberry.enum(TrendPeriod)
strawberry.enum(Granularity)


@strawberry.type
class PracticeOverview:
    total_patients: int = strawberry.field(
        description="Patients assigned to you, not archived."
    )
    active_patients: int = strawberry.field(
        description="Of those, patients with a session of yours (not cancelled "
        "or missed) in the last 30 days up to now."
    )
    sessions_this_week: int = strawberry.field(
        description="Your sessions (not cancelled or missed) dated this week, "
        "Monday to Sunday, upcoming ones included."
    )
    sessions_this_month: int = strawberry.field(
        description="The same for this calendar month."
    )
    upcoming_sessions: int = strawberry.field(
        description="Your SCHEDULED sessions dated after now."
    )
    completion_rate: float = strawberry.field(
        description="COMPLETED / (COMPLETED + CANCELLED + NO_SHOW) of your past "
        "sessions; 0 when there are none."
    )


@strawberry.type
class TopicCount:
    topic: str
    frequency: int = strawberry.field(description="Sessions naming the topic.")


@strawberry.type
class WeeklyProgress:
    week_start: date = strawberry.field(description="The Monday of the week.")
    sessions_count: int
    avg_mood_score: float | None
    topics: list[TopicCount]


@strawberry.type
class MoodTrend:
    current: Mood | None
    trajectory: MoodTrajectory | None
    change_percent: float | None


@strawberry.type
class PatientProgress:
    patient: PatientType
    total_sessions: int
    mood_trend: MoodTrend
    common_topics: list[TopicCount]
    attendance_rate: float = strawberry.field(
        description="COMPLETED / (COMPLETED + NO_SHOW) in the window; 0 when "
        "there are none."
    )
    weekly: list[WeeklyProgress] = strawberry.field(
        description="One entry per week of the window, oldest first."
    )

    @strawberry.field(description="The latest 5 sessions up to now, newest first.")
    @staticmethod
    def recent_sessions(
        root: strawberry.Parent[records.PatientProgress], info: Info[Context, None]
    ) -> list[TherapySessionRow]:
        return resolve.recent_sessions(info, root)


@strawberry.type
class TrendPoint:
    date: date = strawberry.field(description="The first day of the bucket.")
    sessions_completed: int
    sessions_cancelled: int
    avg_session_duration_min: float | None
    completion_rate: float | None


@strawberry.type
class TrendSummary:
    total_sessions: int
    avg_per_day: float
    peak_day: date | None
    completion_rate: float | None


@strawberry.type
class SessionTrends:
    period: TrendPeriod
    granularity: Granularity
    data_points: list[TrendPoint]
    summary: TrendSummary


@strawberry.type
class CommonTopic:
    topic: str
    frequency: int
    patients_affected: int
    trend: str = strawberry.field(description="increasing, stable or decreasing.")


@strawberry.type(
    description="Your practice: sessions you hold with patients assigned to you."
)
class Analytics:
    @strawberry.field
    async def overview(self, info: Info[Context, None]) -> PracticeOverviewRow:
        return await resolve.overview(info)

    @strawberry.field
    async def patient_progress(
        self,
        info: Info[Context, None],
        patient_id: strawberry.ID,
        weeks: int | None = 12,
    ) -> PatientProgressRow:
        return await resolve.patient_progress(info, patient_id, weeks)

    @strawberry.field
    async def session_trends(
        self,
        info: Info[Context, None],
        period: TrendPeriod | None = TrendPeriod.LAST_30_DAYS,
        granularity: Granularity | None = Granularity.DAY,
    ) -> SessionTrendsRow:
        return await resolve.session_trends(info, period, granularity)

    @strawberry.field(
        description="Practice administrators: per therapist of the practice, "
        "sessions, attendance and completion over the last `days` days (1-366). "
        "Counts only."
    )
    async def practice_therapists(
        self, info: Info[Context, None], days: int | None = 30
    ) -> list[TherapistActivityRow]:
        return await therapist_activity(info, days)

    @strawberry.field
    async def common_topics(
        self, info: Info[Context, None], limit: int | None = 20, weeks: int | None = 12
    ) -> list[CommonTopicRow]:
        return await resolve.common_topics(info, limit, weeks)


if TYPE_CHECKING:  # the records these types are read from (schema/rows.py)
    PracticeOverviewRow: TypeAlias = records.PracticeOverview
    PatientProgressRow: TypeAlias = records.PatientProgress
    SessionTrendsRow: TypeAlias = records.SessionTrends
    CommonTopicRow: TypeAlias = records.CommonTopic
else:
    PracticeOverviewRow = PracticeOverview
    PatientProgressRow = PatientProgress
    SessionTrendsRow = SessionTrends
    CommonTopicRow = CommonTopic


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description="Analytics of the caller's practice (not for the PATIENT role)."
    )
    def analytics(self, info: Info[Context, None]) -> Analytics:
        resolve.practice(info)
        return Analytics()
