"""Validating the Relay connection arguments."""

from __future__ import annotations

from db.queries.pagination import MAX_PAGE, CursorError, PageArgs, decode_cursor
from services.errors import BadInput


def page_args(
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> PageArgs:
    """PageArgs, or BAD_USER_INPUT naming the argument at fault."""
    if first is not None and last is not None:
        raise BadInput("last", "Pass either first or last, not both")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise BadInput(name, f"{name} must be between 0 and {MAX_PAGE}")
    for name, cursor in (("after", after), ("before", before)):
        if cursor is not None:
            try:
                decode_cursor(cursor)
            except CursorError:
                raise BadInput(name, f"Invalid cursor in {name}") from None
    return PageArgs(first=first, after=after, last=last, before=before)
