"""Operation limits: each refused with QUERY_TOO_COMPLEX, its limit and measure."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import User
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import create_user, token_for
from tests.schema.probe import probe_client

NESTED = "query { folders(first: 10) { edges { node { users(first: 30) { edges { node { id } } } } } } }"  # noqa: E501
NESTED_VARS = """
query($outer: Int, $inner: Int = 7) {
  folders(first: $outer) { edges { node { users(last: $inner) { totalCount } } } }
}"""
NESTED_PAGES = """
query($outer: Int, $inner: Int) {
  folders(first: $outer) {
    edges { node { users(first: $inner) { edges { node { id } } } } }
  }
}"""
DEFAULT_SIZE = "query { folders { edges { node { name } } } }"
CIRCULAR_INTROSPECTION = """
query { __schema { types { fields { type { fields { type { fields { name } } } } } } } }
"""
WRITE_THEN_WAIT = """
mutation($email: String!, $seconds: Float!) {
  writeThenWait(email: $email, seconds: $seconds)
}
"""


def nested_folders(depth: int) -> str:
    # folder (1) + child x (depth - 2) + name (1)
    inner = "name"
    for _ in range(depth - 2):
        inner = f"child {{ {inner} }}"
    return f"query {{ folder {{ {inner} }} }}"


@pytest.fixture
async def probe(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async for c in probe_client(settings, session_factory):
        yield c


async def post(client: httpx.AsyncClient, query: str, **variables: Any) -> Any:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}
    )
    return response.json()


def the_error(body: dict[str, Any]) -> dict[str, Any]:
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"], body
    assert body["data"] is None
    ext: dict[str, Any] = body["errors"][0]["extensions"]
    return ext


async def test_depth_ten_is_accepted_and_eleven_refused(
    probe: httpx.AsyncClient,
) -> None:
    accepted = await post(probe, nested_folders(10))
    refused = await post(probe, nested_folders(11))

    assert "errors" not in accepted
    assert the_error(refused) | {} == {
        "code": "QUERY_TOO_COMPLEX",
        "kind": "depth",
        "limit": 10,
        "measured": 11,
    }


async def test_depth_counts_through_fragments(probe: httpx.AsyncClient) -> None:
    query = (
        "query { folder { ...A } } fragment A on Folder { child { ...B } } "
        "fragment B on Folder { child { child { child { child { child { child { "
        "child { child { name } } } } } } } } }"
    )

    assert the_error(await post(probe, query))["measured"] == 11


async def test_introspection_is_not_counted_in_depth(
    probe: httpx.AsyncClient,
) -> None:
    body = await post(probe, get_introspection_query())

    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_circular_introspection_is_refused(probe: httpx.AsyncClient) -> None:
    ext = the_error(await post(probe, CIRCULAR_INTROSPECTION))

    assert ext["kind"] == "introspectionDepth"
    assert ext["measured"] == 3


async def test_aliases_are_counted_through_fragments(
    probe: httpx.AsyncClient,
) -> None:
    eight = " ".join(f"a{i}: name" for i in range(8))
    query = "query { folder { ...F child { ...F } } } fragment F on Folder { %s }"

    refused = await post(probe, query % eight)
    accepted = await post(probe, query % eight.rsplit(" ", 2)[0])

    assert the_error(refused)["kind"] == "aliases"
    assert the_error(refused)["measured"] == 16
    assert the_error(refused)["limit"] == 15
    assert "errors" not in accepted


async def test_a_fragment_bomb_is_counted_expanded_but_measured_once(
    probe: httpx.AsyncClient,
) -> None:
    # each fragment spreads the next twice: 2^30 aliases once expanded
    fragments = " ".join(
        f"fragment F{i} on Folder {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30)
    )
    query = f"query {{ folder {{ ...F0 }} }} {fragments} fragment F30 on Folder {{ x: name }}"  # noqa: E501
    started = time.monotonic()

    ext = the_error(await post(probe, query))

    assert ext["kind"] == "aliases"
    assert ext["measured"] == 2**30
    assert time.monotonic() - started < 2


async def test_too_many_tokens_are_refused_before_parsing(
    probe: httpx.AsyncClient,
) -> None:
    query = "query { me { " + "id " * 2100 + "} }"

    ext = the_error(await post(probe, query))

    assert ext["kind"] == "tokens"
    assert ext["limit"] == 2000
    assert ext["measured"] == 2100 + 6


async def test_too_many_directives_are_refused(probe: httpx.AsyncClient) -> None:
    query = "query { me { id " + "@include(if: true) " * 51 + "} }"

    ext = the_error(await post(probe, query))

    assert ext == {
        "code": "QUERY_TOO_COMPLEX",
        "kind": "directives",
        "limit": 50,
        "measured": 51,
    }


async def test_an_oversize_document_is_refused_by_length(
    probe: httpx.AsyncClient,
) -> None:
    query = "# " + "x" * 15_000 + "\nquery { me { id } }"

    ext = the_error(await post(probe, query))

    assert ext["kind"] == "characters"
    assert ext["measured"] == len(query)


async def test_cost_multiplies_nested_connections_and_is_reported(
    probe: httpx.AsyncClient,
) -> None:
    body = await post(probe, NESTED)

    # scalars are free; users: 1 + 30 * (edges 1 + node 1) = 61
    # folders: 1 + 10 * (edges 1 + node 1 + users 61) = 631
    assert "errors" not in body
    assert body["extensions"]["cost"] == 631


async def test_cost_resolves_variables_and_defaults(probe: httpx.AsyncClient) -> None:
    with_vars = await post(probe, NESTED_VARS, outer=4)
    defaults = await post(probe, DEFAULT_SIZE)

    # users(last: 7) { totalCount }: 1 + 7 * 0 = 1; folders: 1 + 4 * (1 + 1 + 1)
    assert with_vars["extensions"]["cost"] == 13
    # 1 + 20 * (edges 1 + node 1)
    assert defaults["extensions"]["cost"] == 41


async def test_cost_over_the_budget_is_refused_before_execution(
    probe: httpx.AsyncClient,
) -> None:
    ext = the_error(await post(probe, NESTED_PAGES, outer=100, inner=100))

    assert ext["kind"] == "cost"
    assert ext["limit"] == 5000
    assert ext["measured"] == 1 + 100 * (1 + 1 + (1 + 100 * 2))


async def test_max_query_cost_is_a_setting(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    tight = settings.model_copy(update={"max_query_cost": 40})
    async for client in probe_client(tight, session_factory):
        ext = the_error(await post(client, DEFAULT_SIZE))

    assert (ext["limit"], ext["measured"]) == (40, 41)


async def test_a_slow_operation_times_out_with_a_code(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    quick = settings.model_copy(update={"operation_timeout_seconds": 0.2})
    async for client in probe_client(quick, session_factory):
        body = await post(client, "query { slow(seconds: 5) }")

    ext = the_error(body)
    assert ext["kind"] == "timeout"
    assert ext["limit"] == 0.2
    assert 0.2 <= ext["measured"] < 2


async def test_a_timed_out_mutation_is_rolled_back(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    db: AsyncSession,
) -> None:
    # long enough that the INSERT itself finishes even on a loaded machine
    quick = settings.model_copy(update={"operation_timeout_seconds": 1.0})
    email = "timed-out@example.test"
    async for client in probe_client(quick, session_factory):
        body = await post(client, WRITE_THEN_WAIT, email=email, seconds=5)
        after = await post(client, "query { me { id } }")

    count = await db.scalar(select(func.count()).where(User.email == email))
    assert the_error(body)["kind"] == "timeout"
    assert count == 0
    assert "errors" not in after


async def test_a_finished_mutation_within_the_timeout_is_kept(
    probe: httpx.AsyncClient, db: AsyncSession
) -> None:
    email = "kept@example.test"

    body = await post(probe, WRITE_THEN_WAIT, email=email, seconds=0)

    count = await db.scalar(select(func.count()).where(User.email == email))
    assert body["data"] == {"writeThenWait": True}
    assert count == 1


PATIENTS_AND_SESSIONS = """
query($p: Int, $s: Int) {
  patients(first: $p) {
    edges { node { name sessions(first: $s) { edges { node { id } } } } }
  }
}"""
NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Patient { sessions(first: 100) { edges { node { id } } } } }
}"""


async def test_the_real_connections_are_priced(gql: GQL) -> None:
    small = await gql(PATIENTS_AND_SESSIONS, {"p": 5, "s": 10})
    large = await gql(PATIENTS_AND_SESSIONS, {"p": 100, "s": 100})

    # sessions: 1 + 10 * 2 = 21; patients: 1 + 5 * (1 + 1 + 21) = 116
    assert small["extensions"]["cost"] == 116
    assert error_codes(small) == ["UNAUTHENTICATED"]
    assert large["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "kind": "cost",
        "limit": 5000,
        "measured": 1 + 100 * (1 + 1 + (1 + 100 * 2)),
    }


async def test_nodes_are_priced_per_id(gql: GQL) -> None:
    body = await gql(NODES, {"ids": ["x"] * 30})

    assert body["errors"][0]["extensions"]["measured"] == 1 + 30 * (1 + 100 * 2)


async def test_a_page_over_the_maximum_is_bad_input_not_too_complex(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    token = token_for(settings, await create_user(db))

    body = await gql(PATIENTS_AND_SESSIONS, {"p": 1000, "s": 1}, token=token)

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "first"
