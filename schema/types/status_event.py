"""The SessionStatusEvent type: one step of a session's status history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from db.enums import SessionStatus
from resolvers import sessions as resolve
from resolvers.context import Context
from resolvers.ids import encode_event_cursor
from resolvers.patients import found_or_raise

if TYPE_CHECKING:
    from schema.types.session import TherapySessionRow


@strawberry.type(name="SessionStatusEvent")
class SessionStatusEventType:
    status: SessionStatus
    previous_status: SessionStatus | None
    error_message: str | None
    at: datetime

    @strawberry.field(
        description="Opaque and increasing: pass the last one received as "
        "sessionStatusChanged(after:) to receive every later event."
    )
    @staticmethod
    def cursor(root: strawberry.Parent[models.SessionStatusEvent]) -> str:
        return encode_event_cursor(root.id)

    @strawberry.field
    @staticmethod
    async def session(
        root: strawberry.Parent[models.SessionStatusEvent], info: Info[Context, None]
    ) -> Annotated[TherapySessionRow, strawberry.lazy("schema.types.session")]:
        found = await resolve.session_by_id(info, root.session_id)
        return found_or_raise(found, "Session")


if TYPE_CHECKING:  # the row a SessionStatusEvent is read from (schema/rows.py)
    SessionStatusEventRow: TypeAlias = models.SessionStatusEvent
else:
    SessionStatusEventRow = SessionStatusEventType
