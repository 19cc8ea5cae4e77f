"""Reading risk alerts: the caller's scoping (``readable_alerts``), the READ
audit of each alert handed back. The PATIENT role never sees an alert: the
root field refuses it (schema/permissions.py ``NotPatient``) and so does
``alerts_page`` here, for any other caller."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import RiskAlertStatus
from db.loaders import RiskAlertByIdLoader
from db.models import RiskAlert, User
from db.queries.alerts import ALERT_ORDER, alert_key
from db.queries.pagination import PageArgs, count, paginate
from db.queries.scoping import readable_alert, readable_alerts
from services.reads import Counted, Reader, record_reads, refuse_patient_role


def record_alerts(
    reader: Reader, rows: Sequence[RiskAlert], fields: Sequence[str]
) -> None:
    if rows:
        read = [(a.id, a.patient_id) for a in rows]
        record_reads(reader, "RiskAlert", read, fields)


async def alerts_page(
    reader: Reader,
    status: RiskAlertStatus | None,
    args: PageArgs,
    fields: Sequence[str],
) -> Counted:
    db = reader.db
    stmt = readable_alerts(refuse_patient_role(reader), status)
    page = await paginate(db, stmt, ALERT_ORDER, args, alert_key)
    record_alerts(reader, list(page.rows), fields)
    return page, lambda: count(db, stmt)


async def alert_by_id(
    reader: Reader, alert_id: uuid.UUID, fields: Sequence[str]
) -> RiskAlert | None:
    found = await reader.loader(RiskAlertByIdLoader).load(alert_id)
    if found is not None:
        record_alerts(reader, [found], fields)
    return found


async def raised_alert(
    db: AsyncSession, user: User, alert_id: uuid.UUID
) -> RiskAlert | None:
    """A raised alert re-read under the subscriber's scoping (its own
    short session: the stream outlives requests)."""
    return await readable_alert(db, user, alert_id)
