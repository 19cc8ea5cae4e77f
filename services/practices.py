"""Practices (workspaces): creation at open sign-up, who administers them, and
the administrator's per-therapist figures (counts only, nothing clinical)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Attendance, Role
from db.models import Practice, User
from db.queries import practices as q
from services import accounts
from services.errors import BadInput, Forbidden, NotFound
from settings import Settings

CLOSED = (
    "Sign-up is by invitation only: ask your practice's administrator for an invitation"
)

MAX_PRACTICE_NAME = 200


def practice_name(name: str | None, first_name: str, last_name: str) -> str:
    """The given name, or "<First Last>'s practice"."""
    if name is None or not name.strip():
        return f"{first_name.strip()} {last_name.strip()}'s practice".strip()
    name = name.strip()
    if len(name) > MAX_PRACTICE_NAME:
        raise BadInput(
            "practiceName", f"Must be at most {MAX_PRACTICE_NAME} characters"
        )
    return name


async def create_practice(db: AsyncSession, name: str) -> Practice:
    practice = Practice(id=uuid.uuid4(), name=name)
    db.add(practice)
    await db.flush()
    return practice


async def open_signup(
    db: AsyncSession,
    settings: Settings,
    data: accounts.NewUser,
    name: str | None,
) -> User:
    """SIGNUP_MODE=open: a new practice and its first account. A therapist
    administers the practice they found (``isPracticeAdmin``); FORBIDDEN when
    sign-up is by invitation only."""
    if not settings.open_signup:
        raise Forbidden(CLOSED)
    accounts.check_signup_role(data.role)
    # every field is checked before anything is written
    accounts.check_new_user(data)
    practice = await create_practice(
        db, practice_name(name, data.first_name, data.last_name)
    )
    return await accounts.register_user(
        db,
        data,
        practice_id=practice.id,
        practice_admin=data.role is Role.THERAPIST,
    )


def require_practice_admin(user: User) -> User:
    """ADMIN, or a THERAPIST with ``isPracticeAdmin``: FORBIDDEN otherwise."""
    if not user.is_active or not user.administers_practice:
        raise Forbidden("Only the practice's administrators may do this")
    return user


async def practice_of(db: AsyncSession, user: User) -> Practice:
    practice = await q.get_practice(db, user.practice_id)
    if practice is None:  # a foreign key makes this impossible
        raise NotFound("Practice")
    return practice


async def member(db: AsyncSession, admin: User, user_id: uuid.UUID) -> User:
    """A user of the administrator's practice; another practice's is NOT_FOUND."""
    user = await q.practice_user(db, admin.practice_id, user_id)
    if user is None:
        raise NotFound("User")
    return user


@dataclass(frozen=True)
class TherapistActivity:
    """One therapist's figures over a window; counts and rates only."""

    therapist: User
    active_patients: int
    sessions: int
    completed: int
    cancelled: int
    no_show: int
    scheduled: int

    @property
    def attendance_rate(self) -> float | None:
        decided = self.completed + self.no_show
        return self.completed / decided if decided else None

    @property
    def completion_rate(self) -> float | None:
        decided = self.completed + self.cancelled + self.no_show
        return self.completed / decided if decided else None


async def therapist_activity(
    db: AsyncSession, admin: User, now: datetime, days: int
) -> list[TherapistActivity]:
    """Per therapist of the admin's practice, the sessions dated in the last
    ``days`` days up to now (upcoming ones not included)."""
    require_practice_admin(admin)
    if not 1 <= days <= 366:
        raise BadInput("days", "Must be between 1 and 366")
    rows = await q.therapist_activity(
        db, admin.practice_id, now - timedelta(days=days), now
    )
    out = []
    for therapist, patients, counts in rows:
        out.append(
            TherapistActivity(
                therapist=therapist,
                active_patients=patients,
                sessions=sum(counts.values()),
                completed=counts.get(Attendance.COMPLETED, 0),
                cancelled=counts.get(Attendance.CANCELLED, 0),
                no_show=counts.get(Attendance.NO_SHOW, 0),
                scheduled=counts.get(Attendance.SCHEDULED, 0),
            )
        )
    return out
