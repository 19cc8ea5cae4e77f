"""analytics.practiceTherapists: per therapist of the caller's practice,
counts only, for its administrators."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Attendance, Role
from resolvers.ids import encode_id
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_patient,
    create_practice,
    create_session,
    create_user,
    token_for,
)

STATS = """
query($d: Int) {
  analytics { practiceTherapists(days: $d) {
    therapist { id } activePatients sessions completed cancelled noShow scheduled
    attendanceRate completionRate
  } }
}
"""


async def test_admins_get_per_therapist_counts_of_their_practice_only(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    # given a practice with two therapists, and another practice
    practice = await create_practice(db)
    admin = await create_user(db, practice, role=Role.ADMIN)
    busy = await create_user(db, practice, last_name="Aardvark")
    idle = await create_user(db, practice, last_name="Zebra")
    patient = await create_patient(db, busy)
    now = utcnow()
    for days_ago, attendance in [
        (1, Attendance.COMPLETED),
        (2, Attendance.COMPLETED),
        (3, Attendance.NO_SHOW),
        (4, Attendance.CANCELLED),
        (40, Attendance.COMPLETED),  # outside the 30-day window
    ]:
        await create_session(
            db, patient, busy, now - timedelta(days=days_ago), attendance=attendance
        )
    await create_session(db, patient, busy, now + timedelta(days=2))  # upcoming
    outsider = await create_user(db, await create_practice(db), role=Role.ADMIN)

    mine = await gql(STATS, {}, token=token_for(settings, admin))
    wider = await gql(STATS, {"d": 60}, token=token_for(settings, admin))
    theirs = await gql(STATS, {}, token=token_for(settings, outsider))
    by_therapist = await gql(STATS, {}, token=token_for(settings, busy))
    bad = await gql(STATS, {"d": 0}, token=token_for(settings, admin))

    rows = mine["data"]["analytics"]["practiceTherapists"]
    assert [r["therapist"]["id"] for r in rows] == [
        encode_id("User", busy.id),
        encode_id("User", idle.id),
    ]
    assert rows[0] == {
        "therapist": {"id": encode_id("User", busy.id)},
        "activePatients": 1,
        "sessions": 4,
        "completed": 2,
        "cancelled": 1,
        "noShow": 1,
        "scheduled": 0,
        "attendanceRate": 2 / 3,
        "completionRate": 2 / 4,
    }
    assert rows[1]["sessions"] == 0
    assert rows[1]["attendanceRate"] is None
    assert wider["data"]["analytics"]["practiceTherapists"][0]["sessions"] == 5
    assert theirs["data"]["analytics"]["practiceTherapists"] == []
    assert error_codes(by_therapist) == ["FORBIDDEN"]
    assert error_codes(bad) == ["BAD_USER_INPUT"]
    assert bad["errors"][0]["extensions"]["field"] == "days"
