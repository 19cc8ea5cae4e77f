"""Relay connections: ``<Type>Connection``, ``<Type>Edge``, ``PageInfo``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

import strawberry

from services.reads import Page

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


class LazyEdge(Generic[T]):
    """An edge whose cursor is encoded only when the query asks for it (the
    ``Edge`` GraphQL type reads both attributes)."""

    __slots__ = ("_index", "_page", "node")

    def __init__(self, page: Page[T], index: int) -> None:
        self._page = page
        self._index = index
        self.node = page.rows[index]

    @property
    def cursor(self) -> str:
        return self._page.cursor(self._index)


class LazyPageInfo:
    """PageInfo with its start and end cursors encoded on demand."""

    __slots__ = ("_page", "has_next_page", "has_previous_page")

    def __init__(self, page: Page[Any]) -> None:
        self._page = page
        self.has_next_page = page.has_next_page
        self.has_previous_page = page.has_previous_page

    @property
    def start_cursor(self) -> str | None:
        return self._page.cursor(0) if self._page.rows else None

    @property
    def end_cursor(self) -> str | None:
        return self._page.cursor(-1) if self._page.rows else None


if TYPE_CHECKING:  # what Edge and PageInfo are read from (schema/rows.py)
    EdgeRow: TypeAlias = LazyEdge[T]
    PageInfoRow: TypeAlias = LazyPageInfo
else:
    EdgeRow = Edge
    PageInfoRow = PageInfo


@strawberry.type
class Connection(Generic[T]):
    edges: list[EdgeRow[T]]
    page_info: PageInfoRow
    # counted only when the field is asked for
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self._count()

    @classmethod
    def from_page(
        cls, page: Page[T], count: Callable[[], Awaitable[int]]
    ) -> Connection[T]:
        edges = [LazyEdge(page, i) for i in range(len(page.rows))]
        return cls(
            edges=edges,
            page_info=LazyPageInfo(page),
            _count=count,
        )
