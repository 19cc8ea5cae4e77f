"""Keyset pagination of many parents' children in ONE query.

``ROW_NUMBER() OVER (PARTITION BY parent ORDER BY ...)`` numbers each parent's
rows after the (shared) cursor; the outer query keeps ``size + 1`` per parent,
so a page of 5 sessions for 50 patients is one statement, not 50.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import FromClause, Integer, Select, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from db.models import User
from db.queries.pagination import (
    Ordering,
    Page,
    PageArgs,
    decode_cursor,
)
from db.queries.scoping import Subject, scoped_statement

_PARENTS = "partition_parents"
_CURSOR = "partition_cursor_"
_ROWS = "partition_rows"
_SIZE = "partition_size"


@dataclass(frozen=True)
class PartitionedQuery:
    """What ``paginate_partitioned`` pages: the rows of ``entity`` that
    ``build(user)`` selects, whose values are the bind parameters ``params``
    (``shape`` names everything else ``build`` depends on), grouped by their
    ``parent`` column, in ``ordering``; ``key(row)`` gives a row's values of
    the ordering columns.

    ``attach(row)`` may name one more object per row, fetched by the same
    statement: it returns a LATERAL subquery correlated to the aliased ``row``
    and the entity aliased to it."""

    entity: type[Any]
    build: Callable[[Subject | None], Select[Any]]
    params: Mapping[str, Any]
    shape: Hashable
    parent: InstrumentedAttribute[Any]
    ordering: Ordering
    key: Callable[[Any], Sequence[Any]]
    attach: Callable[[Any], tuple[FromClause, Any]] | None = None


async def paginate_partitioned(
    db: AsyncSession,
    user: User | None,
    query: PartitionedQuery,
    parent_ids: Sequence[Any],
    args: PageArgs,
    attached: dict[Any, Any] | None = None,
) -> dict[Any, Page[Any]]:
    """One page per parent in ``parent_ids`` of ``query``, read as ``user``.

    The whole statement is built once per shape, direction, cursor or not,
    ``attach`` or not, and role (``scoped_statement``): the parents, the
    cursor and the page size are bind parameters. Each row's attached object
    (or None) lands in ``attached`` under the row's ``id``.
    """
    entity, build, parent = query.entity, query.build, query.parent
    ordering, attach = query.ordering, query.attach
    reverse = args.backwards
    has_cursor = args.cursor is not None

    def statement(subject: Subject | None) -> Select[Any]:
        # one array parameter: the same SQL text for any number of parents
        wanted = bindparam(_PARENTS, type_=ARRAY(parent.type), required=True)
        stmt = build(subject).where(parent == any_(wanted))
        if has_cursor:
            after = [
                bindparam(f"{_CURSOR}{i}", type_=column.type, required=True)
                for i, column in enumerate(ordering.columns)
            ]
            stmt = stmt.where(ordering.after(after, reverse=reverse))
        rn = (
            func.row_number()
            .over(partition_by=parent, order_by=ordering.order_by(reverse=reverse))
            .label("rn")
        )
        inner = stmt.add_columns(rn).subquery()
        row = aliased(entity, inner)
        outer = (
            select(row, inner.c.rn)
            .where(inner.c.rn <= bindparam(_ROWS, type_=Integer, required=True))
            .order_by(inner.c[parent.key], inner.c.rn)
        )
        if attach is not None:
            lateral, extra = attach(row)
            # not for the row past the page (read only to tell there is more)
            size = bindparam(_SIZE, type_=Integer, required=True)
            outer = outer.add_columns(extra).outerjoin(lateral, inner.c.rn <= size)
        return outer

    stmt, scope = scoped_statement(
        ("partitioned", entity, parent.key, query.shape, reverse, has_cursor, attach),
        user,
        statement,
    )
    values = {
        **scope,
        **query.params,
        _PARENTS: list(parent_ids),
        _ROWS: args.size + 1,
        _SIZE: args.size,
    }
    if args.cursor is not None:
        cursor = decode_cursor(args.cursor, len(ordering.columns))
        values.update({f"{_CURSOR}{i}": v for i, v in enumerate(cursor)})
    grouped: dict[Any, list[Any]] = {p: [] for p in parent_ids}
    found: Any
    for found in (await db.execute(stmt, values)).all():
        obj = found[0]
        grouped[getattr(obj, parent.key)].append(obj)
        if attached is not None and attach is not None:
            attached[obj.id] = found[2]
    pages: dict[Any, Page[Any]] = {}
    for parent_id, rows in grouped.items():
        more = len(rows) > args.size
        rows = rows[: args.size]
        if reverse:
            rows.reverse()
        pages[parent_id] = Page(
            rows=rows,
            key=query.key,
            has_next_page=has_cursor if reverse else more,
            has_previous_page=more if reverse else has_cursor,
        )
    return pages
