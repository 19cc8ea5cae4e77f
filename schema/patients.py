"""Root fields for patients."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import patients as resolve
from resolvers.context import Context
from schema.connection import Connection
from schema.types.patient import PatientType


@strawberry.type
class PatientQuery:
    @strawberry.field(description="A patient the caller may see, or null.")
    async def patient(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> PatientType | None:
        return await resolve.patient(info, id)  # type: ignore[return-value]

    @strawberry.field(
        description="The caller's patients by name, then id. `search` matches "
        "word prefixes of name and email, case-insensitively."
    )
    async def patients(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
        include_archived: bool | None = False,
    ) -> Connection[PatientType]:
        page, counter = await resolve.patients(
            info, first, after, last, before, search, include_archived
        )
        return Connection.from_page(page, counter)
