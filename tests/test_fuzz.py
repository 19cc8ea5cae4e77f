"""Fuzzing: generated documents, variables and bodies never give a 500 or hang."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Patient
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import create_user, token_for
from tests.schema.probe import probe_client

pytestmark = pytest.mark.timeout(180)

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
NAMES = [
    "me",
    "node",
    "nodes",
    "id",
    "email",
    "folder",
    "folders",
    "child",
    "users",
    "edges",
    "node",
    "totalCount",
    "__typename",
    "__schema",
    "types",
    "fields",
    "name",
    "first",
    "last",
    "ids",
    "x",
    "slow",
    "writeThenWait",
]
HUGE = st.sampled_from([2**31, -(2**31) - 1, 2**63, 10**100, -1, 0, 1e308, -0.0])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE,
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
VARIABLES_QUERY = """
query($id: ID!, $ids: [ID!]!, $n: Int, $s: String) {
  node(id: $id) { id }
  nodes(ids: $ids) { id }
  folders(first: $n) { totalCount edges { node { name } } }
}"""


@pytest.fixture
async def probe(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    # slow(seconds: 1e308) is in the vocabulary: the timeout ends it
    quick = settings.model_copy(update={"operation_timeout_seconds": 0.5})
    async for c in probe_client(quick, session_factory):
        yield c


def literal() -> st.SearchStrategy[str]:
    return st.one_of(
        HUGE.map(str),
        st.integers().map(str),
        st.text(max_size=20).map(json.dumps),
        st.sampled_from(
            ["null", "true", "[1, 2]", "{a: 1}", "$n", "ENUM", '"\\u0000"']
        ),
    )


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    """Selection sets of random names, arguments, aliases, fragments, nesting."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(NAMES) | st.text("abcXYZ_", min_size=1, max_size=6))
        if draw(st.booleans()):
            name = f"{draw(st.sampled_from(['a', 'b', 'al1']))}: {name}"
        if draw(st.booleans()):
            arg = draw(st.sampled_from(["first", "last", "id", "ids", "seconds", "q"]))
            name += f"({arg}: {draw(literal())})"
        if depth < 14 and draw(st.booleans()):
            name += " { " + draw(documents(depth + 1)) + " }"
        parts.append(name)
    return " ".join(parts)


def assert_sane(response: httpx.Response) -> None:
    assert response.status_code != 500, response.text
    assert response.status_code in (200, 400, 413, 415), response.text
    body = response.json()
    items = body if isinstance(body, list) else [body]
    for item in items:
        for error in item.get("errors") or []:
            assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", error


@FUZZ
@given(query=st.text(max_size=300))
async def test_random_text_as_a_document(probe: httpx.AsyncClient, query: str) -> None:
    assert_sane(await probe.post("/graphql", json={"query": query}))


@FUZZ
@given(selection=documents(), operation=st.sampled_from(["query", "mutation", ""]))
async def test_generated_documents(
    probe: httpx.AsyncClient, selection: str, operation: str
) -> None:
    query = f"{operation} {{ {selection} }}"

    assert_sane(await probe.post("/graphql", json={"query": query}))


@FUZZ
@given(nesting=st.integers(1, 3000), brace=st.sampled_from(["{", "[", "("]))
async def test_deep_nesting(probe: httpx.AsyncClient, nesting: int, brace: str) -> None:
    closing = {"{": "}", "[": "]", "(": ")"}[brace]
    query = "query { me " + brace * nesting + " id " + closing * nesting + " }"

    assert_sane(await probe.post("/graphql", json={"query": query}))


@FUZZ
@given(variables=st.dictionaries(st.sampled_from(["id", "ids", "n", "s", "x"]), JSON))
async def test_random_variables(
    probe: httpx.AsyncClient, variables: dict[str, Any]
) -> None:
    response = await probe.post(
        "/graphql", json={"query": VARIABLES_QUERY, "variables": variables}
    )

    assert_sane(response)


@FUZZ
@given(body=st.binary(max_size=400) | JSON.map(lambda v: json.dumps(v).encode()))
async def test_random_json_bodies(probe: httpx.AsyncClient, body: bytes) -> None:
    response = await probe.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    assert_sane(response)


@FUZZ
@given(
    body=st.binary(max_size=600),
    boundary=st.sampled_from(["b", "", "x" * 80, "=?;"]),
    operations=st.text(max_size=80),
    files_map=st.text(max_size=80),
    payload=st.binary(max_size=200),
)
async def test_broken_multipart_bodies(
    probe: httpx.AsyncClient,
    body: bytes,
    boundary: str,
    operations: str,
    files_map: str,
    payload: bytes,
) -> None:
    headers = {
        "content-type": f"multipart/form-data; boundary={boundary}",
        "apollo-require-preflight": "true",
    }
    raw = await probe.post("/graphql", content=body, headers=headers)
    shaped = await probe.post(
        "/graphql",
        data={"operations": operations, "map": files_map},
        files={"0": ("a.mp3", payload, "audio/mpeg")},
        headers={"apollo-require-preflight": "true"},
    )

    assert_sane(raw)
    assert_sane(shaped)


CREATE_PATIENT = """
mutation($input: CreatePatientInput!) { createPatient(input: $input) { id name } }
"""
TEXTS = st.text(max_size=120) | st.sampled_from(["", " ", "\x00", "a\x00b", "\ud7ff"])


@FUZZ
@given(
    name=TEXTS,
    email=st.none() | TEXTS | st.emails(),
    phone=st.none() | TEXTS | st.from_regex(r"\+?[0-9 ()-]{3,30}", fullmatch=True),
    birth=st.none() | TEXTS | st.dates().map(str),
)
async def test_create_patient_writes_a_whole_patient_or_nothing(
    gql: GQL,
    db: AsyncSession,
    settings: Settings,
    name: str,
    email: str | None,
    phone: str | None,
    birth: str | None,
) -> None:
    token = token_for(settings, await create_user(db))
    before = await db.scalar(select(func.count()).select_from(Patient))
    patient = {"name": name, "email": email, "phone": phone, "dateOfBirth": birth}

    body = await gql(CREATE_PATIENT, {"input": patient}, token=token)

    after = await db.scalar(select(func.count()).select_from(Patient))
    codes = error_codes(body)
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    if codes:
        assert after == before
        assert set(codes) <= {"BAD_USER_INPUT", "CONFLICT"}
    else:
        assert after == (before or 0) + 1
        assert body["data"]["createPatient"]["name"] == name.strip() or name


async def test_nul_and_lone_surrogates_are_bad_input_naming_the_field(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    token = token_for(settings, await create_user(db))
    literal = 'mutation { createPatient(input: {name: "a\\u0000b"}) { id } }'
    surrogate = 'query { patients(search: "\\ud800") { totalCount } }'

    by_variable = await gql(
        CREATE_PATIENT, {"input": {"name": "Ann", "email": "a\x00@x.com"}}, token=token
    )
    by_literal = await gql(literal, token=token)
    by_search = await gql(surrogate, token=token)

    for body, field in ((by_variable, "email"), (by_literal, "name")):
        assert body["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": field,
        }
    # the parser itself refuses an unpaired surrogate escape
    assert error_codes(by_search) == ["BAD_USER_INPUT"]
    assert await db.scalar(select(func.count()).select_from(Patient)) == 0


async def test_a_document_that_passed_still_has_its_variables_checked(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    """The guard remembers documents that passed its text checks; the
    variables of every request are still checked."""
    token = token_for(settings, await create_user(db))

    clean = await gql(
        CREATE_PATIENT, {"input": {"name": "Ann", "email": "ann@x.com"}}, token=token
    )
    dirty = await gql(
        CREATE_PATIENT, {"input": {"name": "B\x00b", "email": "b@x.com"}}, token=token
    )

    assert "errors" not in clean, clean
    assert dirty["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "name",
    }
    assert await db.scalar(select(func.count()).select_from(Patient)) == 1
