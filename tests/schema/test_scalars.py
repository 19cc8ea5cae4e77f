"""DateTime output is ISO 8601, always in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from schema.scalars import serialize_datetime


def test_datetimes_are_written_in_utc_whatever_their_zone() -> None:
    at = datetime(2026, 3, 1, 9, 30, 15, 123000, tzinfo=UTC)
    assert serialize_datetime(at) == "2026-03-01T09:30:15.123000+00:00"
    # naive values are taken as UTC
    assert serialize_datetime(at.replace(tzinfo=None)) == serialize_datetime(at)
    berlin = at.astimezone(timezone(timedelta(hours=1)))
    assert serialize_datetime(berlin) == "2026-03-01T09:30:15.123000+00:00"
