"""What a write use-case needs from a request.

A mutation's resolver decodes the IDs and calls one use-case function in
services (services/patient_writes.py, session_writes.py, review_writes.py,
pipeline_writes.py, export_writes.py, account_writes.py, practice_writes.py)
with the request as a ``Writer``. The use-case does what the mutation is: the
consent check, the domain write (``services.patients`` and friends, which take
``(db, user, ...)`` and are called from the CLI and jobs too), its audit
event, the jobs queued in the same transaction (services/enqueue.py) and the
side effects that wait for the commit (mail, removing a stored file).

``Writer`` is a ``services.reads.Reader`` (a write may drop a loader's cached
answer) with the rest of the request a write uses; ``resolvers.context.Context``
satisfies it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import AuditAction
from services.auth import Client
from services.reads import Reader
from settings import Settings

__all__ = ["AfterCommit", "Writer"]

# a side effect run once the request's transaction committed
AfterCommit = Callable[[], Awaitable[None]]


class Writer(Reader, Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        """Sessions of their own, outside the request's transaction (rate
        limits and failed logins, which must stay recorded on a rollback)."""
        ...

    @property
    def client(self) -> Client:
        """Where the request comes from (IP address, user agent)."""
        ...

    def audit(
        self,
        action: AuditAction,
        entity_type: str,
        entity_id: uuid.UUID | None,
        patient_id: uuid.UUID | None,
        fields: Iterable[str] = (),
        *,
        actor_id: uuid.UUID | None = None,
        entity_ids: Sequence[uuid.UUID] | None = None,
    ) -> None:
        """Buffer one audit event, written with the request; ``actor_id``
        names the actor when the request has no signed-in user yet (a login,
        a signup), otherwise the caller is the actor."""
        ...

    def after_commit(self, fn: AfterCommit) -> None:
        """Run ``fn()`` once the request commits; dropped if it rolls back."""
        ...
