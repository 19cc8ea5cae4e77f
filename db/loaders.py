"""Dataloaders: one class per entity and key, created per request, scoped to
the caller through the ``readable_*`` builders. Named ``<Entity>By<Key>Loader``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from db.queries.scoping import readable_users

K = TypeVar("K")
V = TypeVar("V")


class ScopedLoader(DataLoader[K, V], Generic[K, V]):
    """A DataLoader bound to one request's session and caller."""

    def __init__(self, session: AsyncSession, user: User | None) -> None:
        super().__init__()
        self.session = session
        self.user = user

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V]:
        raise NotImplementedError


class UserByIdLoader(ScopedLoader[uuid.UUID, User | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[User | None]:
        stmt = readable_users(self.user).where(User.id.in_(keys))
        found: dict[Any, User] = {
            u.id: u for u in (await self.session.execute(stmt)).scalars()
        }
        return [found.get(k) for k in keys]
