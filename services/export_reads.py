"""Reading export jobs: the caller's own, newest first (readable_export_jobs)."""

from __future__ import annotations

import uuid

from db.loaders import ExportJobByIdLoader
from db.models import ExportJob
from db.queries.exports import EXPORT_ORDER, export_key
from db.queries.pagination import PageArgs, count, paginate
from db.queries.scoping import readable_export_jobs
from services.reads import Counted, Reader


async def export_jobs_page(reader: Reader, args: PageArgs) -> Counted:
    db = reader.db
    stmt = readable_export_jobs(reader.require_user())
    page = await paginate(db, stmt, EXPORT_ORDER, args, export_key)
    return page, lambda: count(db, stmt)


async def export_job_by_id(reader: Reader, job_id: uuid.UUID) -> ExportJob | None:
    return await reader.loader(ExportJobByIdLoader).load(job_id)
