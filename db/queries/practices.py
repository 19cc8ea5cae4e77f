"""Practices, invitations and consent: lookups and the admin's figures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.enums import Attendance, ConsentKind, Role
from db.models import (
    Invitation,
    Patient,
    PatientConsent,
    PatientTherapist,
    Practice,
    SessionNotes,
    TherapySession,
    User,
)
from db.queries.scoping import (
    readable_invitations,
    readable_sessions,
    readable_users,
)


async def get_practice(db: AsyncSession, practice_id: uuid.UUID) -> Practice | None:
    return await db.get(Practice, practice_id)


async def practice_user(
    db: AsyncSession, practice_id: uuid.UUID, user_id: uuid.UUID
) -> User | None:
    """A user of this practice, or None (another practice's is not found)."""
    stmt = select(User).where(User.id == user_id, User.practice_id == practice_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def practice_patient(
    db: AsyncSession, practice_id: uuid.UUID, patient_id: uuid.UUID
) -> Patient | None:
    stmt = select(Patient).where(
        Patient.id == patient_id, Patient.practice_id == practice_id
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def invitation_by_hash(db: AsyncSession, token_hash: str) -> Invitation | None:
    stmt = (
        select(Invitation).where(Invitation.token_hash == token_hash).with_for_update()
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def revoke_pending_invitations(
    db: AsyncSession, practice_id: uuid.UUID, email: str, at: datetime
) -> None:
    """Older unused invitations to this address stop working (the newest wins)."""
    await db.execute(
        update(Invitation)
        .where(
            Invitation.practice_id == practice_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=at)
        .execution_options(synchronize_session=False)
    )


def current_consents_stmt(patient_ids: Sequence[uuid.UUID]) -> Any:
    """The newest consent row of each kind for each patient."""
    return (
        select(PatientConsent)
        .where(PatientConsent.patient_id.in_(patient_ids))
        .ext(distinct_on(PatientConsent.patient_id, PatientConsent.kind))
        .order_by(
            PatientConsent.patient_id,
            PatientConsent.kind,
            PatientConsent.recorded_at.desc(),
            PatientConsent.id.desc(),
        )
    )


async def has_consent(
    db: AsyncSession, patient_id: uuid.UUID, kind: ConsentKind
) -> bool:
    """Whether the newest recorded consent of ``kind`` is a grant."""
    stmt = (
        select(PatientConsent.granted)
        .where(PatientConsent.patient_id == patient_id, PatientConsent.kind == kind)
        .order_by(PatientConsent.recorded_at.desc(), PatientConsent.id.desc())
        .limit(1)
    )
    return bool(await db.scalar(stmt))


async def therapist_activity(
    db: AsyncSession, practice_id: uuid.UUID, since: datetime, until: datetime
) -> list[tuple[User, int, dict[Attendance, int]]]:
    """Per therapist of the practice: assigned active patients, and the
    sessions they held dated in [since, until) by attendance. Counts only."""
    therapists = list(
        (
            await db.execute(
                select(User)
                .where(User.practice_id == practice_id, User.role == Role.THERAPIST)
                .order_by(User.last_name, User.first_name, User.id)
            )
        ).scalars()
    )
    if not therapists:
        return []
    ids = [t.id for t in therapists]
    patients = dict(
        (
            await db.execute(
                select(PatientTherapist.therapist_id, func.count())
                .join(Patient, Patient.id == PatientTherapist.patient_id)
                .where(
                    PatientTherapist.therapist_id.in_(ids),
                    Patient.practice_id == practice_id,
                    Patient.archived_at.is_(None),
                )
                .group_by(PatientTherapist.therapist_id)
            )
        ).all()
    )
    counts: dict[uuid.UUID, dict[Attendance, int]] = {i: {} for i in ids}
    rows = await db.execute(
        select(TherapySession.therapist_id, TherapySession.attendance, func.count())
        .join(Patient, Patient.id == TherapySession.patient_id)
        .where(
            TherapySession.therapist_id.in_(ids),
            Patient.practice_id == practice_id,
            TherapySession.session_date >= since,
            TherapySession.session_date < until,
        )
        .group_by(TherapySession.therapist_id, TherapySession.attendance)
    )
    for therapist_id, attendance, n in rows.all():
        counts[therapist_id][attendance] = n
    return [(t, int(patients.get(t.id, 0)), counts[t.id]) for t in therapists]


async def sessions_with_latest_notes(
    db: AsyncSession, user: User, patient_id: uuid.UUID, limit: int
) -> list[tuple[TherapySession, SessionNotes]]:
    """The patient's sessions that have notes, newest first, each with its
    latest notes version, under the caller's scoping."""
    latest = (
        select(SessionNotes)
        .ext(distinct_on(SessionNotes.session_id))
        .order_by(SessionNotes.session_id, SessionNotes.version.desc())
        .subquery()
    )
    notes = aliased(SessionNotes, latest)
    stmt = (
        readable_sessions(user)
        .add_columns(notes)
        .join(latest, latest.c.session_id == TherapySession.id)
        .where(TherapySession.patient_id == patient_id)
        .order_by(TherapySession.session_date.desc(), TherapySession.id.desc())
        .limit(limit)
    )
    return [(ts, n) for ts, n in (await db.execute(stmt)).all()]


async def is_personal_practice(db: AsyncSession, user: User) -> bool:
    """Whether ``user`` is a PATIENT account alone in its practice, with no
    patient records: what an open sign-up of a patient creates."""
    if user.role is not Role.PATIENT:
        return False
    others = await db.scalar(
        select(func.count())
        .select_from(User)
        .where(User.practice_id == user.practice_id, User.id != user.id)
    )
    patients = await db.scalar(
        select(func.count())
        .select_from(Patient)
        .where(Patient.practice_id == user.practice_id)
    )
    return not others and not patients


async def move_to_practice(
    db: AsyncSession, user: User, practice_id: uuid.UUID
) -> None:
    """Move a lone account into ``practice_id`` and drop its empty practice."""
    old = user.practice_id
    user.practice_id = practice_id
    await db.flush()
    await db.execute(delete(Practice).where(Practice.id == old))


async def practice_admins(db: AsyncSession, practice_id: uuid.UUID) -> list[User]:
    """The active accounts that administer a practice (ADMIN, or a THERAPIST
    with ``is_practice_admin``): whom practice-wide notices go to."""
    stmt = (
        select(User)
        .where(
            User.practice_id == practice_id,
            User.is_active.is_(True),
            (User.role == Role.ADMIN) | User.is_practice_admin.is_(True),
        )
        .order_by(User.id)
    )
    return list((await db.execute(stmt)).scalars())


async def members_of(
    db: AsyncSession, user: User, practice_id: uuid.UUID
) -> list[User]:
    """The practice's accounts ``user`` may see (all of them for its
    administrators), by name."""
    stmt = (
        readable_users(user)
        .where(User.practice_id == practice_id)
        .order_by(User.last_name, User.first_name, User.id)
    )
    return list((await db.execute(stmt)).scalars())


async def invitations_of(
    db: AsyncSession, user: User, practice_id: uuid.UUID
) -> list[Invitation]:
    """The practice's invitations ``user`` may see, newest first."""
    stmt = (
        readable_invitations(user)
        .where(Invitation.practice_id == practice_id)
        .order_by(Invitation.created_at.desc(), Invitation.id)
    )
    return list((await db.execute(stmt)).scalars())
