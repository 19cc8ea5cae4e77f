"""Treatment plan queries."""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import TreatmentGoal


async def delete_goals(db: AsyncSession, plan_id: uuid.UUID) -> None:
    await db.execute(delete(TreatmentGoal).where(TreatmentGoal.plan_id == plan_id))
