"""GraphQL-over-HTTP media types: graphql-http's key audits ported to Python
(they run without node; tests/e2e/test_http_spec_audit.py runs all 61 with
the npm package), plus 406 and what the spec leaves to us (batches)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema.media import negotiate
from settings import Settings
from tests.schema.probe import probe_client

NEW = "application/graphql-response+json"
PARSE_ERROR = {"query": "{"}
VALIDATION_ERROR = {"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"}
COERCION_ERROR = {
    "query": "query CoerceFailure($id: ID!){ __typename }",
    "variables": {"id": None},
}


@pytest.fixture
async def http(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async for c in probe_client(settings, session_factory):
        yield c


async def post(
    client: httpx.AsyncClient, body: Any, accept: str | None = None
) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if accept is not None:
        headers["accept"] = accept
    return await client.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (NEW, NEW),  # 22EB
        ("application/json", "application/json"),  # 4655
        ("*/*", "application/json"),  # 47DE
        (None, "application/json"),  # 80D8
        (f"{NEW}, application/json;q=0.9", NEW),  # Apollo Client 4
        (f"application/json, {NEW};q=0.5", "application/json"),
    ],
)
async def test_accept_picks_the_content_type(
    http: httpx.AsyncClient, accept: str | None, expected: str
) -> None:
    response = await post(http, {"query": "{ __typename }"}, accept)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(expected)
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("accept", ["text/html", "application/xml", f"{NEW};q=0"])
async def test_an_accept_allowing_neither_is_406(
    http: httpx.AsyncClient, accept: str
) -> None:
    response = await post(http, {"query": "{ __typename }"}, accept)

    assert response.status_code == 406
    assert response.json()["errors"][0]["message"].startswith("Not acceptable")


@pytest.mark.parametrize("body", [PARSE_ERROR, VALIDATION_ERROR, COERCION_ERROR])
async def test_request_errors_are_400_without_data_under_the_new_type(
    http: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    # 556A, D586, 74FF, 5E5B, 86EE
    response = await post(http, body, NEW)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(NEW)
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("body", [PARSE_ERROR, VALIDATION_ERROR, COERCION_ERROR])
async def test_request_errors_stay_200_under_application_json(
    http: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    # 572B, FDE2, 7B9B
    response = await post(http, body, "application/json")

    assert response.status_code == 200
    assert response.json()["errors"]


async def test_a_field_error_keeps_data_and_200_under_the_new_type(
    http: httpx.AsyncClient,
) -> None:
    response = await post(http, {"query": "{ __typename boom }"}, NEW)

    assert response.status_code == 200
    assert "data" in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == (
        "INTERNAL_SERVER_ERROR"
    )


async def test_a_batch_with_a_request_error_stays_200(
    http: httpx.AsyncClient,
) -> None:
    response = await post(http, [{"query": "{ __typename }"}, PARSE_ERROR], NEW)

    assert response.status_code == 200
    first, second = response.json()
    assert first["data"] == {"__typename": "Query"}
    assert "data" not in second


@pytest.mark.parametrize(
    "body",
    [
        b'{ "not a JSON',  # BCF8, B7N8
        b'{"notquery": "{ __typename }"}',  # 423L
        b'{"query": {"obj": "ect"}}',  # LKJ0
        b'{"query": "{ __typename }", "variables": "string"}',  # 4760
        b'{"query": "{ __typename }", "extensions": 0}',  # 58B1
        b'{"query": "{ __typename }", "operationName": false}',  # 6C02
    ],
)
async def test_malformed_requests_are_400(http: httpx.AsyncClient, body: bytes) -> None:
    for accept in ("application/json", NEW):
        response = await http.post(
            "/graphql",
            content=body,
            headers={"content-type": "application/json", "accept": accept},
        )
        assert response.status_code == 400


async def test_get_mutation_is_4xx(http: httpx.AsyncClient) -> None:
    # 9C48
    response = await http.get(
        "/graphql", params={"query": "mutation { __typename }"}, headers={"accept": NEW}
    )

    assert 400 <= response.status_code < 500


async def test_post_without_content_type_is_4xx(http: httpx.AsyncClient) -> None:
    # 9ABE
    response = await http.post("/graphql", content=b'{"query": "{ __typename }"}')

    assert 400 <= response.status_code < 500


def test_negotiate_reads_quality_values() -> None:
    assert negotiate("") == "application/json"
    assert negotiate("application/*;q=0.8, text/html") == "application/json"
    assert negotiate(f"{NEW};q=0.2, */*;q=0.1") == NEW
    assert negotiate("application/json;q=0, */*;q=0") is None
    assert negotiate("application/json;q=oops") is None
