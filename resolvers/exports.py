"""Export job reads: the caller's own jobs (the export mutations live elsewhere)."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.types import Info

from db.loaders import ExportJobByIdLoader
from db.models import ExportJob
from db.queries.exports import EXPORT_ORDER, export_key
from db.queries.pagination import count, paginate
from db.queries.scoping import readable_export_jobs
from resolvers.context import Context
from resolvers.pagination import page_args
from resolvers.patients import Counted


async def export_jobs(
    info: Info[Context, Any], first: int | None, after: str | None
) -> Counted:
    ctx = info.context
    stmt = readable_export_jobs(ctx.require_user())
    page = await paginate(
        ctx.db, stmt, EXPORT_ORDER, page_args(first, after), export_key
    )
    return page, lambda: count(ctx.db, stmt)


async def export_job_by_id(
    info: Info[Context, Any], job_id: uuid.UUID
) -> ExportJob | None:
    return await info.context.loader(ExportJobByIdLoader).load(job_id)
