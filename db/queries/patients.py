"""Patient queries: the scoped list with search, and lookups for mutations."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import Select, exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Patient, PatientTherapist, User
from db.models.patients import SEARCH_VECTOR_SQL
from db.queries.pagination import Ordering
from db.queries.scoping import readable_patients

PATIENT_ORDER = Ordering([Patient.name.expression, Patient.id.expression])

# characters kept in a search word; everything else separates words. The
# words are then quoted for to_tsquery, so no tsquery operator survives.
_WORD = re.compile(r"[\w@.+\-]+")


def patient_key(p: Patient) -> list[Any]:
    return [p.name, p.id]


def search_tsquery(search: str) -> str | None:
    """``'word':* & 'other':*`` for to_tsquery('simple', ...), or None if empty.

    Each word is a quoted lexeme (inner quotes doubled, backslashes dropped)
    with a prefix match, so user input never reaches the tsquery grammar.
    """
    words = [w.replace("\\", "") for w in _WORD.findall(search.lower())]
    quoted = ["'" + w.replace("'", "''") + "':*" for w in words[:8] if w]
    return " & ".join(quoted) or None


def patients_stmt(
    user: User | None, search: str | None = None, include_archived: bool = False
) -> Select[Patient]:
    """The caller's patients, filtered; order comes from the paginator."""
    stmt = readable_patients(user)
    if not include_archived:
        stmt = stmt.where(Patient.archived_at.is_(None))
    query = search_tsquery(search) if search else None
    if search and query is None:
        return stmt.where(text("false"))
    if query is not None:
        # the same expression as the GIN index ix_patients_search, so it is used
        stmt = stmt.where(
            text(f"{SEARCH_VECTOR_SQL} @@ to_tsquery('simple', :tsq)").bindparams(
                tsq=query
            )
        )
    return stmt


async def email_taken(
    db: AsyncSession,
    therapist_id: uuid.UUID,
    email: str,
    except_id: uuid.UUID | None = None,
) -> bool:
    """Whether another of this therapist's patients already uses ``email``."""
    conditions = [
        PatientTherapist.patient_id == Patient.id,
        PatientTherapist.therapist_id == therapist_id,
        func.lower(Patient.email) == email.lower(),
    ]
    if except_id is not None:
        conditions.append(Patient.id != except_id)
    return bool(await db.scalar(select(exists().where(*conditions))))


async def is_assigned(
    db: AsyncSession, patient_id: uuid.UUID, therapist_id: uuid.UUID
) -> bool:
    return (await db.get(PatientTherapist, (patient_id, therapist_id))) is not None


async def patient_linked_to(db: AsyncSession, user_id: uuid.UUID) -> Patient | None:
    stmt = select(Patient).where(Patient.user_id == user_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def therapist_ids(db: AsyncSession, patient_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(PatientTherapist.therapist_id).where(
        PatientTherapist.patient_id == patient_id
    )
    return list((await db.execute(stmt)).scalars())
