"""Keyset (cursor) pagination: no OFFSET, stable under inserts.

An ordering is a list of columns that all sort the same way and end with a
unique column (the primary key), so ``(a, b, id) < (x, y, z)`` row comparison
selects exactly the rows after a cursor. Cursors are opaque: base64url of the
JSON list of the last row's key values.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

DEFAULT_PAGE = 20
MAX_PAGE = 100


class CursorError(ValueError):
    """A cursor that this ordering did not produce."""


@dataclass(frozen=True)
class PageArgs:
    """Validated Relay arguments: exactly one direction, a size within bounds."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @property
    def backwards(self) -> bool:
        return self.last is not None or (self.before is not None and self.first is None)

    @property
    def size(self) -> int:
        value = self.last if self.backwards else self.first
        return DEFAULT_PAGE if value is None else value

    @property
    def cursor(self) -> str | None:
        return self.before if self.backwards else self.after


@dataclass(frozen=True)
class Ordering:
    columns: Sequence[ColumnElement[Any]]
    descending: bool = False

    def order_by(self, reverse: bool = False) -> list[ColumnElement[Any]]:
        desc = self.descending != reverse
        return [c.desc() if desc else c.asc() for c in self.columns]

    def after(
        self, values: Sequence[Any], reverse: bool = False
    ) -> ColumnElement[bool]:
        """Rows strictly after ``values`` in this ordering (or before, reversed)."""
        row = tuple_(*self.columns)
        key = tuple_(*values)
        desc = self.descending != reverse
        return row < key if desc else row > key


@dataclass
class Page(Generic[T]):
    rows: list[T]
    # key(row): the row's values of the ordering columns, encoded into a cursor
    # only when one is asked for (a nested list of 500 rows rarely asks)
    key: Callable[[T], Sequence[Any]]
    has_next_page: bool
    has_previous_page: bool

    def cursor(self, index: int) -> str:
        return encode_cursor(self.key(self.rows[index]))


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag == "t":
            return datetime.fromisoformat(raw)
        if tag == "d":
            return date.fromisoformat(raw)
        if tag == "u":
            return uuid.UUID(raw)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = orjson.dumps([_encode_value(v) for v in values])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int | None = None) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise CursorError("malformed cursor") from None
    if not isinstance(values, list) or (width is not None and len(values) != width):
        raise CursorError("cursor does not match this list")
    try:
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError):
        raise CursorError("malformed cursor") from None


async def paginate(
    db: AsyncSession,
    stmt: Select[Any],
    ordering: Ordering,
    args: PageArgs,
    key: Any,
) -> Page[Any]:
    """One page of ``stmt`` (a select of one entity) in ``ordering``.

    ``key(row)`` returns the row's values of the ordering columns.
    Fetches one row more than asked to learn whether another page exists.
    """
    reverse = args.backwards
    if args.cursor is not None:
        values = decode_cursor(args.cursor, len(ordering.columns))
        stmt = stmt.where(ordering.after(values, reverse=reverse))
    stmt = stmt.order_by(*ordering.order_by(reverse=reverse)).limit(args.size + 1)
    rows = list((await db.execute(stmt)).scalars())
    more = len(rows) > args.size
    rows = rows[: args.size]
    if reverse:
        rows.reverse()
    has_cursor = args.cursor is not None
    return Page(
        rows=rows,
        key=key,
        has_next_page=has_cursor if reverse else more,
        has_previous_page=more if reverse else has_cursor,
    )


async def count(db: AsyncSession, stmt: Select[Any]) -> int:
    """The number of rows ``stmt`` selects (ORDER BY and LIMIT removed)."""
    inner = stmt.order_by(None).limit(None).subquery()
    total = await db.scalar(select(func.count()).select_from(inner))
    return int(total or 0)
