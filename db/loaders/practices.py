"""Dataloaders of practices, consents and audit actors, scoped to the caller
through ``db/queries/scoping.py`` like the other loaders of this package."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from db.enums import Role
from db.loaders.base import ScopedLoader
from db.models import PatientConsent, Practice, User
from db.queries.practices import current_consents_stmt
from db.queries.scoping import readable_patient_ids, readable_practices


class PracticeByIdLoader(ScopedLoader[uuid.UUID, Practice | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[Practice | None]:
        stmt = readable_practices(self.user).where(Practice.id.in_(keys))
        found = {p.id: p for p in (await self.db.execute(stmt)).scalars()}
        return [found.get(k) for k in keys]


class ConsentsByPatientIdLoader(ScopedLoader[uuid.UUID, list[PatientConsent]]):
    """The current consent of each kind ever recorded, per readable patient."""

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[PatientConsent]]:
        stmt = current_consents_stmt(list(keys)).where(
            PatientConsent.patient_id.in_(readable_patient_ids(self.user))
        )
        grouped: dict[uuid.UUID, list[PatientConsent]] = {k: [] for k in keys}
        for row in (await self.db.execute(stmt)).scalars():
            grouped[row.patient_id].append(row)
        return [grouped[k] for k in keys]


@dataclass(frozen=True)
class Actor:
    """Who did something, as the accounting of disclosures shows it: a name
    and a role, nothing else of the account."""

    full_name: str
    role: Role


class AuditActorByIdLoader(ScopedLoader[uuid.UUID, Actor | None]):
    """Names and roles of the actors of audit events the caller may read;
    only accounts of the caller's own practice are ever named."""

    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[Actor | None]:
        user = self.user
        if user is None or not user.is_active:
            return [None for _ in keys]
        stmt = select(User.id, User.first_name, User.last_name, User.role).where(
            User.id.in_(keys), User.practice_id == user.practice_id
        )
        found = {
            i: Actor(f"{first} {last}".strip(), role)
            for i, first, last, role in (await self.db.execute(stmt)).all()
        }
        return [found.get(k) for k in keys]
