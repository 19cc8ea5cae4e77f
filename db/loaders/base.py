"""The base of every dataloader: ``ScopedLoader`` (one per entity and key,
created per request, scoped to the caller through the ``readable_*``
builders) and the helpers that batch a loader's keys into one cached
statement per loader class and role (``keyed_rows``, ``one_each``, ``many_each``).
"""

from __future__ import annotations

from asyncio import Future
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, cast

from aiodataloader import DataLoader
from sqlalchemy import Select, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.models import User
from db.queries.scoping import Subject, scoped_statement

K = TypeVar("K")
V = TypeVar("V")


class ScopedLoader(DataLoader[K, V], Generic[K, V]):
    """A DataLoader bound to one request's session and caller."""

    def __init__(self, db: AsyncSession, user: User | None) -> None:
        super().__init__()
        self.db = db
        self.user = user
        # primed values, kept without a future until someone load()s them: a
        # page primes 500 notes that are only ever peeked at
        self._primed: dict[Any, V] = {}

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V]:
        raise NotImplementedError

    def prime(self, key: K, value: V | Exception) -> ScopedLoader[K, V]:
        """As DataLoader.prime (an existing value is kept; an Exception
        primes a failure), without making a future for a plain value."""
        cache_key = self.get_cache_key(key)
        if isinstance(value, Exception):
            # aiodataloader primes a failure for an Exception, though its
            # annotation admits only values
            return super().prime(key, cast("V", value))
        if not self.cache:
            return super().prime(key, value)
        if cache_key not in self._cache:
            self._primed.setdefault(cache_key, value)
        return self

    def load(self, key: K) -> Future[V]:
        if self._primed and key is not None:
            cache_key = self.get_cache_key(key)
            if cache_key in self._primed and cache_key not in self._cache:
                super().prime(key, self._primed.pop(cache_key))
        return super().load(key)

    def clear(self, key: K) -> ScopedLoader[K, V]:
        self._primed.pop(self.get_cache_key(key), None)
        return super().clear(key)

    def clear_all(self) -> ScopedLoader[K, V]:
        self._primed.clear()
        return super().clear_all()

    def peek(self, key: K) -> tuple[bool, V | None]:
        """(True, value) when ``key`` is already loaded (or primed), so a
        resolver can answer without a coroutine; else (False, None)."""
        if self._primed:
            cache_key = self.get_cache_key(key)
            if cache_key in self._primed:
                return True, self._primed[cache_key]
        future = self._cache.get(self.get_cache_key(key)) if self.cache else None
        if future is None or not future.done() or future.cancelled():
            return False, None
        if future.exception() is not None:
            return False, None
        return True, future.result()


LOADER_KEYS = "loader_keys"

Build = Callable[[Subject | None], Select[Any]]


async def keyed_rows(
    loader: ScopedLoader[Any, Any],
    build: Build,
    column: InstrumentedAttribute[Any],
    keys: Sequence[Any],
) -> Any:
    """The rows ``build`` selects for the caller, where ``column`` is one of
    ``keys``: one statement per loader class and role, built once (a loader
    class always builds the same statement)."""

    def keyed(subject: Subject | None) -> Select[Any]:
        wanted = bindparam(LOADER_KEYS, type_=ARRAY(column.type), required=True)
        return build(subject).where(column == any_(wanted))

    stmt, params = scoped_statement(type(loader).__qualname__, loader.user, keyed)
    params[LOADER_KEYS] = list(keys)
    return (await loader.db.execute(stmt, params)).scalars()


async def one_each(
    loader: ScopedLoader[Any, Any],
    build: Build,
    column: InstrumentedAttribute[Any],
    keys: Sequence[Any],
) -> list[Any]:
    """Rows of ``build`` matched to ``keys`` by ``column`` (one row per key)."""
    found_rows = await keyed_rows(loader, build, column, keys)
    found = {getattr(r, column.key): r for r in found_rows}
    return [found.get(k) for k in keys]


async def many_each(
    loader: ScopedLoader[Any, Any],
    build: Build,
    column: InstrumentedAttribute[Any],
    keys: Sequence[Any],
) -> list[Any]:
    """Rows of ``build`` grouped by ``column``, in the statement's order."""
    grouped: dict[Any, list[Any]] = {k: [] for k in keys}
    for r in await keyed_rows(loader, build, column, keys):
        grouped[getattr(r, column.key)].append(r)
    return [grouped[k] for k in keys]
