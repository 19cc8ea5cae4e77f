"""Export job queries (the jobs themselves belong to the exports service)."""

from __future__ import annotations

from typing import Any

from db.models import ExportJob
from db.queries.pagination import Ordering

EXPORT_ORDER = Ordering(
    [ExportJob.created_at.expression, ExportJob.id.expression], descending=True
)


def export_key(job: ExportJob) -> list[Any]:
    return [job.created_at, job.id]
