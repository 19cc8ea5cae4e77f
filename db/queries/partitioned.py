"""Keyset pagination of many parents' children in ONE query.

``ROW_NUMBER() OVER (PARTITION BY parent ORDER BY ...)`` numbers each parent's
rows after the (shared) cursor; the outer query keeps ``size + 1`` per parent,
so a page of 5 sessions for 50 patients is one statement, not 50.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import FromClause, Select, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from db.queries.pagination import (
    Ordering,
    Page,
    PageArgs,
    decode_cursor,
)


async def paginate_partitioned(
    session: AsyncSession,
    entity: type[Any],
    stmt: Select[Any],
    parent: InstrumentedAttribute[Any],
    parent_ids: Sequence[Any],
    ordering: Ordering,
    args: PageArgs,
    key: Callable[[Any], Sequence[Any]],
    attach: Callable[[Any], tuple[FromClause, Any]] | None = None,
    attached: dict[Any, Any] | None = None,
) -> dict[Any, Page[Any]]:
    """One page per parent of ``stmt`` (a select of ``entity``).

    ``attach(row)`` may name one more object per row, fetched by the same
    statement: it returns a LATERAL subquery correlated to the aliased ``row``
    and the entity aliased to it. Each row's object (or None) lands in
    ``attached`` under the row's ``id``.
    """
    reverse = args.backwards
    # one array parameter: the same SQL text for any number of parents (an
    # expanding IN renders a parameter per parent on every execution)
    ids = literal(list(parent_ids), ARRAY(parent.type))
    stmt = stmt.where(parent == any_(ids))
    if args.cursor is not None:
        values = decode_cursor(args.cursor, len(ordering.columns))
        stmt = stmt.where(ordering.after(values, reverse=reverse))
    rn = (
        func.row_number()
        .over(partition_by=parent, order_by=ordering.order_by(reverse=reverse))
        .label("rn")
    )
    inner = stmt.add_columns(rn).subquery()
    row = aliased(entity, inner)
    outer = (
        select(row, inner.c.rn)
        .where(inner.c.rn <= args.size + 1)
        .order_by(inner.c[parent.key], inner.c.rn)
    )
    if attach is not None:
        lateral, extra = attach(row)
        # not for the row past the page (read only to tell there is more)
        outer = outer.add_columns(extra).outerjoin(lateral, inner.c.rn <= args.size)
    grouped: dict[Any, list[Any]] = {p: [] for p in parent_ids}
    found: Any
    for found in (await session.execute(outer)).all():
        obj = found[0]
        grouped[getattr(obj, parent.key)].append(obj)
        if attached is not None and attach is not None:
            attached[obj.id] = found[2]
    has_cursor = args.cursor is not None
    pages: dict[Any, Page[Any]] = {}
    for parent_id, rows in grouped.items():
        more = len(rows) > args.size
        rows = rows[: args.size]
        if reverse:
            rows.reverse()
        pages[parent_id] = Page(
            rows=rows,
            key=key,
            has_next_page=has_cursor if reverse else more,
            has_previous_page=more if reverse else has_cursor,
        )
    return pages
