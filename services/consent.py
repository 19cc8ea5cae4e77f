"""Patient consent to recording and to AI processing.

Every change is a new row (the table is append-only); the newest row of a kind
is the current state. With REQUIRE_CONSENT=true (the default) an upload needs
RECORDING consent, and nothing is sent to the AI provider without
AI_PROCESSING consent: the mutations that would start it are refused, and a
job that finds the consent withdrawn when it starts ends the session FAILED.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.enums import ConsentKind, Role
from db.enums import SessionStatus as S
from db.models import Patient, PatientConsent, User
from db.queries import pipeline as pipeline_q
from db.queries import practices as q
from services.access import patient_or_not_found, session_or_not_found
from services.errors import BadInput, ConsentRequired, Forbidden
from services.status import transition
from settings import Settings

log = logging.getLogger("therapybridge.consent")

MAX_FORM_VERSION = 64
MESSAGES = {
    ConsentKind.RECORDING: "The patient has not consented to recording: record "
    "their RECORDING consent first",
    ConsentKind.AI_PROCESSING: "The patient has not consented to AI processing: "
    "record their AI_PROCESSING consent first",
}
WITHDRAWN = (
    "Stopped before AI processing: the patient's AI_PROCESSING consent is not "
    "(or no longer) given. Record it and retry."
)


async def record_consent(
    db: AsyncSession,
    user: User,
    patient_id: uuid.UUID,
    kind: ConsentKind,
    granted: bool,
    form_version: str | None,
) -> tuple[Patient, PatientConsent]:
    """Append a grant or withdrawal, recorded by the caller: a therapist of
    the patient (NOT_FOUND for anyone else's); the PATIENT role is FORBIDDEN."""
    if user.role is Role.PATIENT:
        raise Forbidden("Consent is recorded by the patient's therapist")
    patient = await patient_or_not_found(db, user, patient_id)
    if form_version is not None:
        form_version = form_version.strip() or None
        if form_version and len(form_version) > MAX_FORM_VERSION:
            raise BadInput(
                "formVersion", f"Must be at most {MAX_FORM_VERSION} characters"
            )
    row = PatientConsent(
        id=uuid.uuid4(),
        patient_id=patient.id,
        kind=kind,
        granted=granted,
        form_version=form_version,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    db.add(row)
    await db.flush()
    return patient, row


async def require(
    db: AsyncSession,
    settings: Settings,
    patient_id: uuid.UUID,
    *kinds: ConsentKind,
) -> None:
    """CONSENT_REQUIRED (with ``kind``) for the first kind not granted."""
    if not settings.require_consent:
        return
    for kind in kinds:
        if not await q.has_consent(db, patient_id, kind):
            raise ConsentRequired(kind.value, MESSAGES[kind])


async def require_for_patient(
    db: AsyncSession,
    settings: Settings,
    user: User,
    patient_id: uuid.UUID,
    *kinds: ConsentKind,
) -> None:
    """``require`` for a patient the caller may read; NOT_FOUND first for
    anyone else's, so consent never tells about another practice's patient."""
    await patient_or_not_found(db, user, patient_id)
    await require(db, settings, patient_id, *kinds)


async def require_for_session(
    db: AsyncSession,
    settings: Settings,
    user: User,
    session_id: uuid.UUID,
    *kinds: ConsentKind,
) -> None:
    """``require`` for the patient of a session the caller may read."""
    found = await session_or_not_found(db, user, session_id)
    await require(db, settings, found.patient_id, *kinds)


async def job_may_start(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    session_id: uuid.UUID,
    start: S,
) -> bool:
    """Before a job sends anything to the AI provider: False (and the session
    FAILED, saying why) when AI_PROCESSING consent is not given any more."""
    if not settings.require_consent:
        return True
    async with factory() as db:
        ts = await pipeline_q.lock_session(db, session_id)
        if ts is None or ts.status is not start:
            return True  # the job itself decides there is nothing to do
        if await q.has_consent(db, ts.patient_id, ConsentKind.AI_PROCESSING):
            return True
        await transition(db, ts, S.FAILED, error_message=WITHDRAWN)
        await db.commit()
    log.info(
        "job stopped: no AI processing consent",
        extra={"session_id": str(session_id)},
    )
    return False
