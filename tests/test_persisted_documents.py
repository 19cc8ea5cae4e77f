"""Automatic persisted queries (Apollo's protocol, registered in PostgreSQL)
and TRUSTED_DOCUMENTS (only the manifest's documents run)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import PersistedDocument
from schema import documents
from schema.documents import load_manifest
from settings import Settings, SettingsError, load_settings
from tests.conftest import app_client

DOC = "query Typename { __typename }"
HASH = hashlib.sha256(DOC.encode()).hexdigest()
OTHER = "query Other { __typename me { id } }"


def apq(digest: str, query: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    }
    if query is not None:
        body["query"] = query
    return body


async def _client(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings, session_factory, "http://api") as c:
        yield c


@pytest.fixture(autouse=True)
def _forget_documents() -> None:
    # the per-process cache: each test starts from what PostgreSQL holds
    documents.recent = documents.Recent()


@pytest.fixture
async def http(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(settings, session_factory):
        yield c


async def test_unknown_hash_is_persisted_query_not_found(
    http: httpx.AsyncClient,
) -> None:
    body = (await http.post("/graphql", json=apq(HASH))).json()

    assert body["errors"] == [
        {
            "message": "PersistedQueryNotFound",
            "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
        }
    ]


async def test_hash_and_query_register_for_every_process(
    http: httpx.AsyncClient,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    db: AsyncSession,
) -> None:
    first = (await http.post("/graphql", json=apq(HASH, DOC))).json()
    stored = await db.scalar(
        select(PersistedDocument.document).where(PersistedDocument.sha256 == HASH)
    )
    documents.recent = documents.Recent()  # another process: nothing cached
    async for other in _client(settings, session_factory):
        second = (await other.post("/graphql", json=apq(HASH))).json()

    assert first["data"] == {"__typename": "Query"}
    assert stored == DOC
    assert second["data"] == {"__typename": "Query"}


async def test_a_wrong_hash_is_refused_and_not_registered(
    http: httpx.AsyncClient, db: AsyncSession
) -> None:
    body = (await http.post("/graphql", json=apq(HASH, OTHER))).json()
    count = await db.scalar(
        select(PersistedDocument.sha256).where(PersistedDocument.sha256 == HASH)
    )

    assert body["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "sha256Hash",
    }
    assert body["errors"][0]["message"] == "provided sha does not match query"
    assert count is None


async def test_a_document_that_fails_validation_is_not_registered(
    http: httpx.AsyncClient, db: AsyncSession
) -> None:
    bad = "query Bad { noSuchField }"
    digest = hashlib.sha256(bad.encode()).hexdigest()
    body = (await http.post("/graphql", json=apq(digest, bad))).json()
    stored = await db.scalar(
        select(PersistedDocument.sha256).where(PersistedDocument.sha256 == digest)
    )

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert stored is None


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": HASH}},
        {"persistedQuery": {"version": 1, "sha256Hash": "xyz"}},
        {"persistedQuery": "yes"},
    ],
)
async def test_malformed_persisted_query_is_bad_user_input(
    http: httpx.AsyncClient, extensions: dict[str, Any]
) -> None:
    body = (await http.post("/graphql", json={"extensions": extensions})).json()

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({HASH: DOC}))
    return path


@pytest.fixture
async def trusted(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    manifest: Path,
) -> AsyncIterator[httpx.AsyncClient]:
    only = settings.model_copy(update={"trusted_documents": manifest})
    async for c in _client(only, session_factory):
        yield c


@pytest.mark.parametrize(
    "request_body",
    [
        apq(HASH),
        {"documentId": HASH},
        {"documentId": f"sha256:{HASH}"},
        {"query": DOC},
        apq(HASH, DOC),
    ],
)
async def test_listed_documents_run(
    trusted: httpx.AsyncClient, request_body: dict[str, Any]
) -> None:
    body = (await trusted.post("/graphql", json=request_body)).json()

    assert body == {"data": {"__typename": "Query"}, "extensions": {"cost": 0}}


@pytest.mark.parametrize(
    "request_body",
    [
        {"query": OTHER},
        {"query": "{ __typename"},  # refused before parsing: no syntax error
        apq(hashlib.sha256(OTHER.encode()).hexdigest(), OTHER),
        apq(hashlib.sha256(OTHER.encode()).hexdigest()),
        {"documentId": "0" * 64},
    ],
)
async def test_anything_else_is_refused_before_parsing(
    trusted: httpx.AsyncClient, db: AsyncSession, request_body: dict[str, Any]
) -> None:
    response = await trusted.post(
        "/graphql",
        json=request_body,
        headers={"accept": "application/graphql-response+json"},
    )
    registered = await db.scalar(select(PersistedDocument.sha256))

    assert response.status_code == 400
    assert "data" not in response.json()
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
    assert "TRUSTED_DOCUMENTS" in error["message"]
    assert registered is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (json.dumps({HASH: OTHER}), "has another hash"),
        (json.dumps({"abc": DOC}), "is not a SHA-256 hash"),
        (json.dumps([DOC]), "must be a JSON object"),
        ("{not json", "cannot read"),
    ],
)
def test_a_bad_manifest_stops_start_up_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    monkeypatch.setenv("TRUSTED_DOCUMENTS", str(path))

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert str(refused.value).startswith("TRUSTED_DOCUMENTS: ")
    assert message in str(refused.value)


def test_a_manifest_is_read_once(manifest: Path) -> None:
    assert load_manifest(manifest) == {HASH: DOC}
