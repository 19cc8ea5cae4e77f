"""Export job reads: the caller's own jobs (the export mutations live elsewhere)."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.types import Info

from db.models import ExportJob
from resolvers.context import Context
from resolvers.pagination import page_args
from services import export_reads
from services.reads import Counted


async def export_jobs(
    info: Info[Context, Any], first: int | None, after: str | None
) -> Counted:
    # signed in: IsAuthenticated on the field (schema/sessions.py)
    return await export_reads.export_jobs_page(info.context, page_args(first, after))


async def export_job_by_id(
    info: Info[Context, Any], job_id: uuid.UUID
) -> ExportJob | None:
    return await export_reads.export_job_by_id(info.context, job_id)
