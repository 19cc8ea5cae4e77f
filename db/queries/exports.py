"""Export job queries (the jobs themselves belong to the exports service)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, select

from db.models import ExportJob
from db.queries.pagination import Ordering
from db.queries.scoping import Subject, readable_patient_ids

EXPORT_ORDER = Ordering(
    [ExportJob.created_at.expression, ExportJob.id.expression], descending=True
)


def export_key(job: ExportJob) -> list[Any]:
    return [job.created_at, job.id]


def readable_export_jobs(user: Subject | None) -> Select[ExportJob]:
    """The caller's own export jobs, for patients they may still read."""
    if user is None:
        return select(ExportJob).where(false())
    return select(ExportJob).where(
        ExportJob.requested_by_id == user.id,
        ExportJob.patient_id.in_(readable_patient_ids(user)),
    )
