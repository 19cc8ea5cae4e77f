"""Analytics resolvers: the caller's practice, or one readable patient."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from db.models import Patient, TherapySession
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.reads import phi_selected, selected_names
from services import analytics, analytics_reads
from services.analytics import Granularity, TrendPeriod


def practice(info: Info[Context, Any]) -> None:
    """The ``analytics`` root: therapists (and admins) only."""
    analytics.practice_owner(info.context.require_user())


async def overview(info: Info[Context, Any]) -> analytics.PracticeOverview:
    ctx = info.context
    return await analytics_reads.overview(ctx, ctx.settings)


async def session_trends(
    info: Info[Context, Any],
    period: TrendPeriod | None,
    granularity: Granularity | None,
) -> analytics.SessionTrends:
    # an explicit null means the default, as for every optional argument here
    period = period or TrendPeriod.LAST_30_DAYS
    granularity = granularity or Granularity.DAY
    ctx = info.context
    return await analytics_reads.session_trends(ctx, ctx.settings, period, granularity)


async def common_topics(
    info: Info[Context, Any], limit: int | None, weeks: int | None
) -> list[analytics.CommonTopic]:
    limit, weeks = _or(limit, 20), _or(weeks, 12)
    ctx = info.context
    return await analytics_reads.common_topics(ctx, ctx.settings, limit, weeks)


async def patient_progress(
    info: Info[Context, Any], patient_id: str, weeks: int | None
) -> analytics.PatientProgress:
    pid = decode_id(patient_id, "Patient", "patientId")
    ctx = info.context
    return await analytics_reads.patient_progress_by_id(
        ctx, ctx.settings, pid, _or(weeks, 12), _fields(info)
    )


async def progress_of(
    info: Info[Context, Any], patient: Patient, weeks: int | None
) -> analytics.PatientProgress:
    """``Patient.progress``: the patient row is already scoped to the caller."""
    weeks = _or(weeks, 12)
    ctx = info.context
    return await analytics_reads.patient_progress(
        ctx, ctx.settings, patient, weeks, _fields(info)
    )


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _fields(info: Info[Context, Any]) -> list[str]:
    return sorted(selected_names(info))


def recent_sessions(
    info: Info[Context, Any], progress: analytics.PatientProgress
) -> list[TherapySession]:
    fields = phi_selected(info, "TherapySession")
    return analytics_reads.recent_sessions(info.context, progress, fields)
