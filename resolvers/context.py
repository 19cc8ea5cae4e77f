"""The per-request context: one database session, the caller, the loaders.
It is the ``services.reads.Reader`` the read services take and the
``services.writes.Writer`` the write use-cases take."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from db.enums import AuditAction
from db.loaders import ScopedLoader
from db.models import User
from services.audit import AuditRecord, buffer_event
from services.auth import Client
from services.errors import Unauthenticated
from services.writes import AfterCommit
from settings import Settings

L = TypeVar("L", bound="ScopedLoader[Any, Any]")

_CLIENT_IP = ("client_ip",)
_UNSET = object()


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    request_id: str
    user: User | None = None
    # why the bearer token was refused, reported when a field needs a user
    auth_error: str | None = None
    # set for an operation known to be a query: the session then runs without
    # a transaction (db/engine.py, autocommit_sessionmaker); never used for
    # anything that writes more than the request's one audit INSERT
    read_factory: async_sessionmaker[AsyncSession] | None = None
    _db: AsyncSession | None = None
    _loaders: dict[type[Any], Any] = field(default_factory=dict)
    audit_events: list[AuditRecord] = field(default_factory=list)
    # per-request memo of values derived from the query document
    memo: dict[Any, Any] = field(default_factory=dict)
    # run by the UnitOfWork extension once the request's transaction committed
    after_commit_callbacks: list[AfterCommit] = field(default_factory=list)
    # the WebSocket connection_init payload (strawberry sets it)
    connection_params: dict[str, Any] = field(default_factory=dict)

    @property
    def db(self) -> AsyncSession:
        """The request's one session, opened on first use."""
        if self._db is None:
            factory = self.read_factory or self.session_factory
            self._db = factory()
        return self._db

    @property
    def has_db(self) -> bool:
        return self._db is not None

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None
            self._loaders.clear()

    def after_commit(self, fn: AfterCommit) -> None:
        """Run ``fn()`` after this request commits; dropped if it rolls back.

        For side effects that must not happen for data that was never written
        (sending mail, enqueuing jobs). Failures are logged, never raised.
        """
        self.after_commit_callbacks.append(fn)

    def loader(self, cls: type[L]) -> L:
        """The per-request instance of a dataloader class, scoped to the caller."""
        instance: L | None = self._loaders.get(cls)
        if instance is None:
            instance = cls(self.db, self.user)
            self._loaders[cls] = instance
        return instance

    def require_user(self) -> User:
        if self.user is None:
            raise Unauthenticated(self.auth_error or "Authentication required")
        return self.user

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
        """Buffer one audit event, written with the request (services.writes.Writer).

        ``actor_id`` names the actor when the request has no signed-in user
        yet (a login); otherwise the caller is the actor. ``entity_ids`` names
        the objects of a READ of several (``entity_id`` then None).
        """
        buffer_event(
            self.audit_events,
            action,
            entity_type,
            entity_id,
            patient_id,
            fields,
            actor_id=actor_id or self.user_id,
            entity_ids=entity_ids,
            request_id=self.request_id or None,
            ip_address=self.client_ip,
        )

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.user.id if self.user else None

    @property
    def client_ip(self) -> str | None:
        # read for every audit event: starlette makes a new Address each time
        found = self.memo.get(_CLIENT_IP, _UNSET)
        if found is None or isinstance(found, str):
            return found
        client = self.request.client
        host = client.host if client else None
        self.memo[_CLIENT_IP] = host
        return host

    @property
    def client(self) -> Client:
        """Where the request comes from (services.writes.Writer)."""
        return Client(
            ip=self.client_ip, user_agent=self.request.headers.get("user-agent")
        )
