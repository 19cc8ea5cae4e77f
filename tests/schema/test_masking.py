"""Unexpected errors: masked in the response, logged with the request id only."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from resolvers.context import Context
from settings import Settings
from tests.schema.probe import PROBE_SCHEMA, PROBE_SECRET, probe_client, probe_schema

BOOM = "query { folder { name } boom }"


@pytest.fixture
async def probe(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async for c in probe_client(settings, session_factory):
        yield c


async def test_an_unexpected_exception_is_masked_with_the_request_id(
    probe: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    response = await probe.post(
        "/graphql", json={"query": BOOM}, headers={"x-request-id": "req-abc-123"}
    )

    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None  # boom is non-null
    assert body["errors"] == [
        {
            "message": "Internal server error",
            "locations": [{"line": 1, "column": 25}],
            "path": ["boom"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-abc-123"},
        }
    ]
    for secret in ("probe-secret", "SELECT", "Ada", "RuntimeError"):
        assert secret not in response.text


async def test_the_log_has_the_request_id_and_never_the_message(
    probe: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    response = await probe.post("/graphql", json={"query": BOOM})

    request_id = response.json()["errors"][0]["extensions"]["requestId"]
    assert request_id == response.headers["x-request-id"]
    lines = [r.getMessage() for r in caplog.records]
    unexpected = [line for line in lines if "unexpected error" in line]
    assert len(unexpected) == 1
    assert request_id in unexpected[0]
    assert "RuntimeError" in unexpected[0]
    for line in lines:
        assert "probe-secret" not in line
        assert "Ada" not in line
    for record in caplog.records:
        assert PROBE_SECRET not in str(record.args)
        assert record.exc_info is None or PROBE_SECRET not in str(record.exc_info[1])


CREATE = "mutation($input: CreatePatientInput!) { createPatient(input: $input) { id } }"
SINCE = "query($from: DateTime) { sessions(from: $from) { totalCount } }"


async def test_a_refused_variable_is_bad_input_naming_the_field(
    probe: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bad_date = {"input": {"name": "A", "dateOfBirth": "MARKER-DATE"}}

    date = (
        await probe.post("/graphql", json={"query": CREATE, "variables": bad_date})
    ).json()
    naive = (
        await probe.post(
            "/graphql", json={"query": SINCE, "variables": {"from": "2026-01-01T10:00"}}
        )
    ).json()

    assert date["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "dateOfBirth",
    }
    assert naive["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "from",
    }
    assert not [r for r in caplog.records if "unexpected error" in r.getMessage()]


async def test_the_error_objects_themselves_are_masked_for_the_websocket(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # graphql-transport-ws sends error.formatted as it is: masking must be there
    ctx = Context(
        request=Request({"type": "http", "headers": []}),
        response=None,
        settings=settings,
        session_factory=session_factory,
        request_id="ws-req-7",
    )

    result = await PROBE_SCHEMA.execute(BOOM, context_value=ctx)

    assert result.errors is not None
    assert [e.formatted for e in result.errors] == [
        {
            "message": "Internal server error",
            "locations": [{"line": 1, "column": 25}],
            "path": ["boom"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "ws-req-7"},
        }
    ]


async def test_production_error_objects_carry_no_suggestions(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ctx = Context(
        request=Request({"type": "http", "headers": []}),
        response=None,
        settings=settings,
        session_factory=session_factory,
        request_id="ws-req-8",
    )

    result = await probe_schema(production=True).execute(
        "{ folders(frist: 1) { totalCount } sessions(status: PROCESSE) { id } }",
        context_value=ctx,
    )

    assert result.errors
    for error in result.errors:
        assert "Did you mean" not in error.formatted["message"]
        assert error.formatted["extensions"]["code"] == "BAD_USER_INPUT"
