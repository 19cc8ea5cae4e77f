"""Export mutations: session notes and progress reports as PDF or DOCX."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from db.enums import ExportFormat
from resolvers import export_requests as resolve
from resolvers.context import Context
from schema.types.export_job import ExportJobRow
from services.note_format import NoteFormat


@strawberry.type
class ExportMutation:
    @strawberry.mutation(
        description="Export a session's latest notes in the chosen note format; "
        "the file is produced in the background (poll the job or exportJobs). "
        "20 exports per hour per therapist."
    )
    async def export_session_notes(
        self,
        info: Info[Context, None],
        session_id: strawberry.ID,
        format: ExportFormat,
        note_format: NoteFormat = NoteFormat.SOAP,
    ) -> ExportJobRow:
        return await resolve.export_session_notes(info, session_id, format, note_format)

    @strawberry.mutation(
        description="Export a patient's progress over `weeks` weeks (1-104) with "
        "the weekly mood trend and topic frequencies."
    )
    async def export_progress_report(
        self,
        info: Info[Context, None],
        patient_id: strawberry.ID,
        format: ExportFormat,
        weeks: int | None = 12,
    ) -> ExportJobRow:
        return await resolve.export_progress_report(
            info, patient_id, format, 12 if weeks is None else weeks
        )
