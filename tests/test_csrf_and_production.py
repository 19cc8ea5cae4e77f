"""HTTP hardening: content types, GET, batches, JSON errors, headers, CORS,
and what production mode turns off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import User
from settings import Settings
from tests.conftest import error_codes
from tests.schema.probe import probe_client, probe_schema

ME = "query { me { id } }"
GET_MUTATION = 'mutation { writeThenWait(email: "via-get@example.test", seconds: 0) }'
LOGIN = 'mutation { login(email: "a@example.test", password: "x") { accessToken } }'
TYPO_FIELD = "query { folder { nmae } }"
TYPO_ARGUMENT = "query { folders(frist: 1) { totalCount } }"
TYPO_TYPE = "query($x: Strng) { me { id } }"
ORIGIN = "https://app.example.test"


@pytest.fixture
async def probe(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    dev = settings.model_copy(update={"cors_origins": ORIGIN})
    async for c in probe_client(dev, session_factory):
        yield c


@pytest.fixture
def production_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"environment": "production", "cors_origins": ORIGIN}
    )


@pytest.fixture
async def production(
    production_settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    schema = probe_schema(production=True)
    async for c in probe_client(production_settings, session_factory, schema):
        yield c


def json_error(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    error = body["errors"][0]
    assert isinstance(error, dict)
    return error


async def test_get_serves_queries(probe: httpx.AsyncClient) -> None:
    response = await probe.get("/graphql", params={"query": ME})

    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}, "extensions": {"cost": 1}}


async def test_get_refuses_mutations_and_writes_nothing(
    probe: httpx.AsyncClient, db: AsyncSession
) -> None:
    response = await probe.get("/graphql", params={"query": GET_MUTATION})

    count = await db.scalar(
        select(func.count()).where(User.email == "via-get@example.test")
    )
    assert response.status_code in (400, 405)
    assert "mutations are not allowed" in json_error(response)["message"]
    assert count == 0


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "text/plain; charset=utf-8"],
)
async def test_simple_content_types_are_refused_with_415(
    probe: httpx.AsyncClient, db: AsyncSession, content_type: str
) -> None:
    response = await probe.post(
        "/graphql",
        content=f'{{"query": "{GET_MUTATION.replace(chr(34), chr(92) + chr(34))}"}}',
        headers={"content-type": content_type},
    )

    count = await db.scalar(
        select(func.count()).where(User.email == "via-get@example.test")
    )
    assert response.status_code == 415
    assert json_error(response)["extensions"]["code"] == "BAD_USER_INPUT"
    assert count == 0


async def test_unparsable_json_is_a_json_400_with_a_code(
    probe: httpx.AsyncClient,
) -> None:
    for body in (b"{bad", b'{"query": "\xff\xfe"}', b"[" * 5000):
        response = await probe.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )

        assert response.status_code == 400, body
        assert json_error(response)["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_batch_runs_each_operation(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/graphql", json=[{"query": ME}, {"query": "query { folder { name } }"}]
    )

    assert response.status_code == 200
    assert [r["data"] for r in response.json()] == [
        {"me": None},
        {"folder": {"name": "folder"}},
    ]


async def test_a_batch_of_more_than_ten_is_refused(probe: httpx.AsyncClient) -> None:
    response = await probe.post("/graphql", json=[{"query": ME}] * 11)

    error = json_error(response)
    assert response.status_code == 400
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "kind": "batch",
        "limit": 10,
        "measured": 11,
    }


@pytest.mark.parametrize(
    "credential",
    [
        LOGIN,
        "mutation { ...F } fragment F on Mutation { signup(input: {}) { ok } }",
        'mutation { renamed: refreshToken(token: "t") { accessToken } }',
    ],
)
async def test_a_batch_never_holds_a_credential_operation(
    probe: httpx.AsyncClient, credential: str
) -> None:
    response = await probe.post("/graphql", json=[{"query": ME}, {"query": credential}])

    assert response.status_code == 400
    assert "cannot be batched" in json_error(response)["message"]


async def test_malformed_batches_and_operation_names_are_400(
    probe: httpx.AsyncClient,
) -> None:
    for body in ([1, 2], [], {"query": ME, "operationName": 5}):
        response = await probe.post("/graphql", json=body)

        assert response.status_code == 400, body
        assert json_error(response)["extensions"]["code"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/graphql", {"json": {"query": ME}}),
        ("GET", "/graphql", {"params": {"query": ME}}),
        ("GET", "/graphql", {"headers": {"accept": "text/html"}}),
        (
            "POST",
            "/graphql",
            {"content": b"{", "headers": {"content-type": "application/json"}},
        ),
        (
            "POST",
            "/graphql",
            {"content": b"q", "headers": {"content-type": "text/plain"}},
        ),
        ("GET", "/health", {}),
        ("GET", "/metrics", {}),
        ("GET", "/no-such-page", {}),
    ],
)
async def test_every_response_carries_the_security_headers(
    probe: httpx.AsyncClient, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = await probe.request(method, path, **kwargs)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-request-id"]
    if path == "/graphql":
        assert response.headers["cache-control"] == "no-store"


async def test_cors_answers_only_the_configured_origins(
    probe: httpx.AsyncClient,
) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,authorization",
    }
    allowed = await probe.options("/graphql", headers={**preflight, "origin": ORIGIN})
    other = await probe.options(
        "/graphql", headers={**preflight, "origin": "https://evil.example"}
    )
    simple = await probe.post(
        "/graphql", json={"query": ME}, headers={"origin": "https://evil.example"}
    )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-origin" not in other.headers
    assert other.status_code == 400
    assert "access-control-allow-origin" not in simple.headers


async def test_development_keeps_introspection_suggestions_and_graphiql(
    probe: httpx.AsyncClient,
) -> None:
    introspection = (
        await probe.post(
            "/graphql", json={"query": "{ __schema { queryType { name } } }"}
        )
    ).json()
    typo = (await probe.post("/graphql", json={"query": TYPO_FIELD})).json()
    page = await probe.get("/graphql", headers={"accept": "text/html"})
    metrics = await probe.get("/metrics", headers={})

    assert introspection["data"]["__schema"]["queryType"]["name"] == "Query"
    assert "Did you mean" in typo["errors"][0]["message"]
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert metrics.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        get_introspection_query(),
        "{ __schema { queryType { name } } }",
        '{ __type(name: "Patient") { name fields { name } } }',
    ],
)
async def test_production_refuses_introspection(
    production: httpx.AsyncClient, query: str
) -> None:
    body = (await production.post("/graphql", json={"query": query})).json()

    assert body["data"] is None
    assert error_codes(body)
    assert "__schema" not in str(body["data"])


@pytest.mark.parametrize("query", [TYPO_FIELD, TYPO_ARGUMENT, TYPO_TYPE])
async def test_production_never_suggests_names(
    production: httpx.AsyncClient, query: str
) -> None:
    body = (await production.post("/graphql", json={"query": query})).json()

    assert error_codes(body) == ["BAD_USER_INPUT"] * len(body["errors"])
    assert all("Did you mean" not in e["message"] for e in body["errors"])


async def test_production_has_no_graphiql(production: httpx.AsyncClient) -> None:
    page = await production.get("/graphql", headers={"accept": "text/html"})
    asset = await production.get("/graphiql/static/x/app.js")

    assert page.status_code == 405  # GET is refused in production altogether
    assert "graphiql" not in page.text.lower()
    assert asset.status_code == 404


async def test_production_metrics_refuse_loopback_too_without_a_token(
    production_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    # behind a reverse proxy on the same host every client is "loopback"
    async for remote in probe_client(
        production_settings, session_factory, client=("203.0.113.9", 4000)
    ):
        refused = await remote.get("/metrics")
    async for local in probe_client(production_settings, session_factory):
        local_refused = await local.get("/metrics")

    assert refused.status_code == 403
    assert json_error(refused)["extensions"]["code"] == "FORBIDDEN"
    assert local_refused.status_code == 403
    assert "python_info" not in local_refused.text


async def test_metrics_token_is_required_when_set(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    guarded = settings.model_copy(update={"metrics_token": "m-token-123"})
    async for client in probe_client(guarded, session_factory):
        without = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"authorization": "Bearer no"})
        right = await client.get(
            "/metrics", headers={"authorization": "Bearer m-token-123"}
        )

    assert (without.status_code, wrong.status_code, right.status_code) == (
        403,
        403,
        200,
    )


async def test_an_oversize_json_body_is_refused_with_413(
    probe: httpx.AsyncClient,
) -> None:
    padding = "x" * (1024 * 1024 + 10)

    declared = await probe.post(
        "/graphql", json={"query": ME, "variables": {"pad": padding}}
    )

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 100_000

    streamed = await probe.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    for response in (declared, streamed):
        assert response.status_code == 413
        ext = json_error(response)["extensions"]
        assert (ext["code"], ext["kind"], ext["limit"]) == (
            "QUERY_TOO_COMPLEX",
            "bodyBytes",
            1024 * 1024,
        )
        assert ext["measured"] > 1024 * 1024


async def test_multipart_without_the_preflight_header_is_refused(
    probe: httpx.AsyncClient,
) -> None:
    response = await probe.post(
        "/graphql",
        data={"operations": '{"query": "{ me { id } }"}', "map": "{}"},
        files={"0": ("a.mp3", b"ID3", "audio/mpeg")},
    )
    with_header = await probe.post(
        "/graphql",
        data={"operations": '{"query": "{ me { id } }"}', "map": "{}"},
        files={"0": ("a.mp3", b"ID3", "audio/mpeg")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )

    assert response.status_code == 400
    assert json_error(response)["extensions"]["field"] == "Apollo-Require-Preflight"
    assert with_header.status_code == 200
    assert with_header.json()["data"] == {"me": None}
