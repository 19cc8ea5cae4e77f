"""Input validation shared by the graph's mutations: BAD_USER_INPUT with the
field at fault, before anything is written."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from email_validator import EmailNotValidError, validate_email

from services.errors import BadInput

_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,40}$")


def text(field: str, value: str, max_len: int, *, required: bool = True) -> str:
    """Stripped text within ``max_len``; empty is an error when required."""
    value = value.strip()
    if required and not value:
        raise BadInput(field, f"{field} must not be empty")
    if len(value) > max_len:
        raise BadInput(field, f"{field} is limited to {max_len} characters")
    return value


def email(field: str, value: str | None) -> str | None:
    """A normalised email address (no DNS lookup), or None."""
    if value is None or not value.strip():
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise BadInput(field, "Not a valid email address") from None


def phone(field: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if not _PHONE.match(value.strip()):
        raise BadInput(field, "Not a valid phone number")
    return value.strip()


def birth_date(field: str, value: date | None) -> date | None:
    if value is not None and not date(1900, 1, 1) <= value <= datetime.now(UTC).date():
        raise BadInput(field, "Date of birth must be between 1900 and today")
    return value


def duration(field: str, value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 600:
        raise BadInput(field, "Duration must be between 1 and 600 minutes")
    return value


def session_date(field: str, value: datetime) -> datetime:
    if value.tzinfo is None:
        raise BadInput(field, "sessionDate must carry a UTC offset")
    if not 2000 <= value.year <= 2100:
        raise BadInput(field, "sessionDate is out of range")
    return value


def strings(field: str, values: list[str], max_items: int, max_len: int) -> list[str]:
    if len(values) > max_items:
        raise BadInput(field, f"At most {max_items} items")
    return [text(f"{field}[{i}]", v, max_len) for i, v in enumerate(values)]
