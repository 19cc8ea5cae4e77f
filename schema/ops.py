"""Operations mutations: the audio retention clean-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import strawberry
from strawberry.types import Info

from resolvers import ops as resolve
from resolvers.context import Context
from services.retention import CleanupReport


@strawberry.type(name="CleanupReport")
class CleanupReportType:
    dry_run: bool
    files_deleted: int = strawberry.field(
        description="Files deleted (or, in a dry run, that would be)."
    )
    sessions_cleaned: int = strawberry.field(
        description="FAILED sessions whose audio went; the sessions stay."
    )
    bytes_freed: float
    errors: list[str]


if TYPE_CHECKING:  # the record a CleanupReport is read from (schema/rows.py)
    CleanupReportRow: TypeAlias = CleanupReport
else:
    CleanupReportRow = CleanupReportType


@strawberry.type
class OpsMutation:
    @strawberry.mutation(
        description="Practice administrators: delete the audio of their "
        "practice's sessions FAILED more than FAILED_SESSION_RETENTION_DAYS ago. "
        "Orphaned audio (no session, no practice) is the operator's: the daily "
        "task and `therapybridge cleanup-audio`. A dry run deletes nothing."
    )
    async def cleanup_audio(
        self, info: Info[Context, None], dry_run: bool | None = True
    ) -> CleanupReportRow:
        # an explicit null is the safe choice too: report, delete nothing
        return await resolve.cleanup_audio(info, dry_run is not False)
