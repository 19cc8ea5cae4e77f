"""Scalars: DateTime is ISO 8601 with offset, always UTC on output."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import strawberry

if TYPE_CHECKING:
    from strawberry.types.scalar import ScalarDefinition


def serialize_datetime(value: datetime) -> str:
    if value.tzinfo is UTC:  # as the database returns them
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("DateTime must carry a UTC offset")
    return parsed.astimezone(UTC)


DateTime = strawberry.scalar(
    name="DateTime",
    description="ISO 8601 date and time with offset; always UTC on output.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

# keyed by object, as StrawberryConfig.scalar_map is (a dict is invariant in it)
SCALAR_MAP: Mapping[object, ScalarDefinition] = {datetime: DateTime}
