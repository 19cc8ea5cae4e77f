"""Persisted documents: Apollo's automatic persisted queries, trusted documents.

APQ: ``extensions.persistedQuery = {"version": 1, "sha256Hash": <hex>}``. A
hash the server does not know, sent without ``query``, is answered
``PERSISTED_QUERY_NOT_FOUND`` (message ``PersistedQueryNotFound``, as Apollo's
clients expect); the client then sends hash and query, the server checks the
hash, runs the query and, when it was not refused, registers it in
PostgreSQL (``persisted_documents``), where every process finds it.

``TRUSTED_DOCUMENTS=<manifest>``: a JSON object from hash to document (what
GraphQL Codegen's client preset writes as ``persisted-documents.json`` and
Relay as its persisted-queries JSON). Then only those documents run: by hash
(``extensions.persistedQuery.sha256Hash``, or ``documentId``, either the bare
hex or ``sha256:<hex>``) or as a full ``query`` whose SHA-256 is listed.
Anything else is ``PERSISTED_QUERY_NOT_ALLOWED`` before it is parsed (the
check is in the operation guard, so WebSocket subscriptions obey it too), and
nothing is registered.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.http import GraphQLRequestData

from db.queries.documents import persisted_document, register_document
from schema.media import mark_request_errors
from settings import read_manifest

HEX = frozenset("0123456789abcdef")


class DocumentError(Exception):
    """A persisted-document request that cannot run; becomes a request error."""

    def __init__(self, message: str, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def as_graphql(self) -> GraphQLError:
        extensions: dict[str, Any] = {"code": self.code}
        if self.field is not None:
            extensions["field"] = self.field
        error = GraphQLError(self.message, extensions=extensions)
        return mark_request_errors([error])[0]


def not_allowed() -> DocumentError:
    return DocumentError(
        "This document is not in the server's trusted documents "
        "(TRUSTED_DOCUMENTS); send a listed document or its hash",
        "PERSISTED_QUERY_NOT_ALLOWED",
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=1024)
def _cached_hash(text: str) -> str:
    return sha256_hex(text)


@lru_cache(maxsize=4)
def load_manifest(path: Path) -> dict[str, str]:
    """The trusted documents of ``path``, read once per process (the settings
    already refused a malformed manifest at start-up)."""
    return read_manifest(path)


def is_trusted(manifest: dict[str, str], query: str) -> bool:
    return _cached_hash(query) in manifest


def _bare_hash(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    digest = value.removeprefix("sha256:").lower()
    return digest if len(digest) == 64 and set(digest) <= HEX else None


@dataclass
class Resolved:
    """The document to run, and the hash to register once it ran."""

    query: str | None
    register: str | None = None


def requested_hash(extensions: Any, document_id: Any) -> str | None:
    """The hash asked for, or None when the request names none."""
    if document_id is not None:
        digest = _bare_hash(document_id)
        if digest is None:
            raise DocumentError(
                "documentId must be a SHA-256 hash (hex, or sha256:<hex>)",
                "BAD_USER_INPUT",
                "documentId",
            )
        return digest
    persisted = extensions.get("persistedQuery") if extensions else None
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise DocumentError(
            "Unsupported persisted query: send version 1 with its sha256Hash",
            "BAD_USER_INPUT",
            "persistedQuery",
        )
    digest = _bare_hash(persisted.get("sha256Hash"))
    if digest is None:
        raise DocumentError(
            "persistedQuery.sha256Hash must be a SHA-256 hash (hex)",
            "BAD_USER_INPUT",
            "sha256Hash",
        )
    return digest


class Recent:
    """Documents this process has read or registered: a hit costs no query."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[str, str] = OrderedDict()

    def get(self, digest: str) -> str | None:
        found = self._items.get(digest)
        if found is not None:
            self._items.move_to_end(digest)
        return found

    def put(self, digest: str, document: str) -> None:
        self._items[digest] = document
        self._items.move_to_end(digest)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


recent = Recent()


async def resolve(
    query: Any,
    extensions: Any,
    document_id: Any,
    manifest: dict[str, str] | None,
    session_factory: async_sessionmaker[AsyncSession],
) -> Resolved:
    """The document a request runs (raises DocumentError when it cannot)."""
    digest = requested_hash(extensions, document_id)
    if digest is None:
        return Resolved(query)
    if isinstance(query, str):
        if sha256_hex(query) != digest:
            # Apollo's wording; the code is the contract's
            raise DocumentError(
                "provided sha does not match query", "BAD_USER_INPUT", "sha256Hash"
            )
        if manifest is not None:
            return Resolved(query)  # the guard checks it is listed
        return Resolved(query, None if recent.get(digest) else digest)
    if query is not None:
        return Resolved(query)  # a non-string query: refused as usual
    if manifest is not None:
        listed = manifest.get(digest)
        if listed is None:
            raise not_allowed()
        return Resolved(listed)
    found = recent.get(digest)
    if found is None:
        async with session_factory() as db:
            found = await persisted_document(db, digest)
        if found is None:
            raise DocumentError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        recent.put(digest, found)
    return Resolved(found)


async def register(
    session_factory: async_sessionmaker[AsyncSession], digest: str, document: str
) -> None:
    async with session_factory() as db:
        await register_document(db, digest, document)
        await db.commit()
    recent.put(digest, document)


@dataclass
class RequestData(GraphQLRequestData):
    """strawberry's request data with the persisted-documents ``documentId``."""

    document_id: object = None


def with_document_ids(
    data: GraphQLRequestData | list[GraphQLRequestData], decoded: Any
) -> GraphQLRequestData | list[GraphQLRequestData]:
    """strawberry's parsed request(s), each with the ``documentId`` of its raw
    JSON object (or query parameters)."""
    items = data if isinstance(data, list) else [data]
    raw = decoded if isinstance(decoded, list) else [decoded]
    with_ids: list[GraphQLRequestData] = [
        RequestData(
            query=item.query,
            variables=item.variables,
            operation_name=item.operation_name,
            extensions=item.extensions,
            protocol=item.protocol,
            document_id=source.get("documentId") if isinstance(source, dict) else None,
        )
        for item, source in zip(items, raw, strict=False)
    ]
    return with_ids if isinstance(data, list) else with_ids[0]
