"""The ExportJob type (the export mutations belong to the exports part)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from db.enums import ExportFormat, JobStatus
from resolvers.context import Context
from resolvers.exports import export_job_by_id
from resolvers.ids import encode_id
from schema.node import Node, register_node


@strawberry.type(name="ExportJob")
class ExportJobType(Node):
    status: JobStatus
    format: ExportFormat
    expires_at: datetime | None
    error: str | None

    @strawberry.field(description="GET it with the bearer token; null until DONE.")
    @staticmethod
    def download_url(root: strawberry.Parent[models.ExportJob]) -> str | None:
        if root.status is not JobStatus.DONE or not root.storage_key:
            return None
        return f"/exports/{encode_id('ExportJob', root.id)}"

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.ExportJob | cls)


if TYPE_CHECKING:  # the row an ExportJob is read from (schema/rows.py)
    ExportJobRow: TypeAlias = models.ExportJob
else:
    ExportJobRow = ExportJobType


register_node("ExportJob", export_job_by_id, models.ExportJob)
