"""Export jobs as the exports service and the download route use them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import JobStatus
from db.models import ExportJob, User
from db.queries.scoping import readable_export_jobs


async def downloadable_export(
    db: AsyncSession, user: User, job_id: uuid.UUID, now: datetime
) -> ExportJob | None:
    """The caller's own finished, unexpired export; None for anything else."""
    stmt = readable_export_jobs(user).where(
        ExportJob.id == job_id,
        ExportJob.status == JobStatus.DONE,
        ExportJob.storage_key.is_not(None),
        ExportJob.expires_at > now,
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def export_for_update(db: AsyncSession, job_id: uuid.UUID) -> ExportJob | None:
    """Lock the job row: two runs of one job (a retried job) take turns."""
    stmt = select(ExportJob).where(ExportJob.id == job_id).with_for_update()
    return (await db.execute(stmt)).scalar_one_or_none()


async def expired_exports(
    db: AsyncSession, now: datetime, limit: int = 500
) -> list[ExportJob]:
    """Finished exports past their expiry whose file is still stored."""
    stmt = (
        select(ExportJob)
        .where(ExportJob.storage_key.is_not(None), ExportJob.expires_at <= now)
        .order_by(ExportJob.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await db.execute(stmt)).scalars())
