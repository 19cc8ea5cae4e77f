"""Dataloaders for what follows a note: its addenda (scoped like the notes) and
risk alerts (scoped like their patient, never for the PATIENT role)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from db.loaders import ScopedLoader, _many_each, _one_each, _readable_session_ids
from db.models import NoteAddendum, RiskAlert
from db.queries.alerts import readable_alerts
from db.queries.scoping import Subject


class AddendaByNotesIdLoader(ScopedLoader[uuid.UUID, list[NoteAddendum]]):
    """The addenda of a note version, oldest first."""

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[NoteAddendum]]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(NoteAddendum)
                .where(NoteAddendum.session_id.in_(_readable_session_ids(user)))
                .order_by(NoteAddendum.created_at, NoteAddendum.id)
            )

        return await _many_each(self, build, NoteAddendum.notes_id, keys)


class RiskAlertByIdLoader(ScopedLoader[uuid.UUID, RiskAlert | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[RiskAlert | None]:
        return await _one_each(self, readable_alerts, RiskAlert.id, keys)
