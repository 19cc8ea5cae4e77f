"""graphql-cop's twelve checks, ported from its source (lib/tests/*.py of
dolevf/graphql-cop): each sends what graphql-cop sends and applies its own
"vulnerable" condition. In production all twelve come out clean; a
development server fails some of them, which shows the checks can fail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import create_app
from settings import Settings

HEADERS = {"User-Agent": "graphql-cop/1.14"}
Check = Callable[[httpx.AsyncClient], Awaitable[bool]]


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


async def graph_query(
    client: httpx.AsyncClient, payload: str, batch: bool = False
) -> Any:
    """lib/utils.py graph_query: POST JSON, operationName "cop" (or a batch of
    ten without it)."""
    data: Any = (
        [{"query": payload} for _ in range(10)]
        if batch
        else {"query": payload, "operationName": "cop"}
    )
    return _json(await client.post("/graphql", json=data, headers=HEADERS))


def _dig(value: Any, *keys: Any) -> Any:
    for key in keys:
        value = value[key]
    return value


def _try(fn: Callable[[], Any]) -> bool:
    # graphql-cop wraps each condition in try/except: an error means "clean"
    try:
        return bool(fn())
    except (KeyError, IndexError, TypeError, AttributeError):
        return False


async def alias_overloading(c: httpx.AsyncClient) -> bool:
    aliases = "".join(f"alias{i}:__typename \n" for i in range(101))
    body = await graph_query(c, "query cop { " + aliases + " }")
    return _try(lambda: _dig(body, "data", "alias100"))


async def batch_query(c: httpx.AsyncClient) -> bool:
    body = await graph_query(c, "query cop { __typename }", batch=True)
    return _try(lambda: len(body) >= 10)


async def directive_overloading(c: httpx.AsyncClient) -> bool:
    body = await graph_query(c, "query cop { __typename " + "@aa" * 10 + " }")
    return _try(lambda: len(body["errors"]) == 10)


async def field_suggestions(c: httpx.AsyncClient) -> bool:
    body = await graph_query(c, "query cop { __schema { directive } }")
    return _try(lambda: "Did you mean" in body["errors"][0]["message"])


async def get_method_support(c: httpx.AsyncClient) -> bool:
    r = await c.get("/graphql", params={"query": "query cop {__typename}"})
    return _try(lambda: _dig(_json(r), "data", "__typename"))


async def detect_graphiql(c: httpx.AsyncClient) -> bool:
    r = await c.get("/graphql", headers={**HEADERS, "Accept": "text/html"})
    words = ("graphiql.min.css", "GraphQL Playground", "GraphiQL", "graphql-playground")
    return any(word in r.text for word in words)


async def introspection(c: httpx.AsyncClient) -> bool:
    body = await graph_query(
        c, "query cop { __schema { types { name fields { name } } } }"
    )
    return _try(lambda: _dig(body, "data", "__schema", "types"))


async def circular_query_introspection(c: httpx.AsyncClient) -> bool:
    q = (
        "query cop { __schema { types { fields { type { fields { type { fields "
        "{ type { fields { type { name } } } } } } } } } } }"
    )
    body = await graph_query(c, q)
    return _try(lambda: len(_dig(body, "data", "__schema", "types")) > 25)


async def get_based_mutation(c: httpx.AsyncClient) -> bool:
    r = await c.get("/graphql", params={"query": "mutation cop {__typename}"})
    return _try(lambda: _dig(_json(r), "data", "__typename"))


async def post_based_csrf(c: httpx.AsyncClient) -> bool:
    r = await c.post(
        "/graphql", data={"query": "query cop { __typename }"}, headers=HEADERS
    )
    return _try(lambda: _dig(_json(r), "data", "__typename"))


async def trace_mode(c: httpx.AsyncClient) -> bool:
    body = await graph_query(c, "query cop { __typename }")
    if _try(lambda: body["errors"][0]["extensions"]["tracing"]):
        return True
    return "'extensions': {'tracing':" in str(body).lower()


async def unhandled_error_detection(c: httpx.AsyncClient) -> bool:
    body = await graph_query(c, "qwerty cop { abc }")
    if _try(lambda: body["errors"][0]["extensions"]["exception"]):
        return True
    return "'extensions': {'exception':" in str(body).lower()


CHECKS: dict[str, Check] = {
    "alias_overloading": alias_overloading,
    "batch_query": batch_query,
    "directive_overloading": directive_overloading,
    "field_suggestions": field_suggestions,
    "get_method_support": get_method_support,
    "detect_graphiql": detect_graphiql,
    "introspection": introspection,
    "circular_query_introspection": circular_query_introspection,
    "get_based_mutation": get_based_mutation,
    "post_based_csrf": post_based_csrf,
    "trace_mode": trace_mode,
    "unhandled_error_detection": unhandled_error_detection,
}


async def _client(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, session_factory=session_factory)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
        yield c


@pytest.fixture
async def production(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    prod = settings.model_copy(update={"environment": "production"})
    async for c in _client(prod, session_factory):
        yield c


@pytest.fixture
async def development(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    dev = settings.model_copy(update={"environment": "development"})
    async for c in _client(dev, session_factory):
        yield c


@pytest.mark.parametrize("name", sorted(CHECKS))
async def test_graphql_cop_check_is_clean_in_production(
    production: httpx.AsyncClient, name: str
) -> None:
    assert await CHECKS[name](production) is False


@pytest.mark.parametrize(
    "name",
    ["batch_query", "get_method_support", "detect_graphiql", "introspection"],
)
async def test_the_check_finds_what_development_allows(
    development: httpx.AsyncClient, name: str
) -> None:
    assert await CHECKS[name](development) is True


async def test_production_answers_the_probes_with_clear_errors(
    production: httpx.AsyncClient,
) -> None:
    batch = await graph_query(production, "query cop { __typename }", batch=True)
    directives = await graph_query(production, "query cop { __typename @aa@aa@aa@aa }")
    get = await production.get("/graphql", params={"query": "{ __typename }"})

    assert batch["errors"][0]["extensions"]["kind"] == "batch"
    # three errors, then graphql-core's "Too many validation errors"
    assert len(directives["errors"]) == 4
    assert get.status_code == 405
    assert get.headers["allow"] == "POST"


async def test_production_batches_only_when_max_batch_operations_is_set(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    prod = settings.model_copy(
        update={"environment": "production", "max_batch_operations": 3}
    )
    three = [{"query": "{ __typename }"}] * 3
    async for c in _client(prod, session_factory):
        allowed = (await c.post("/graphql", json=three)).json()
        refused = (await c.post("/graphql", json=three * 2)).json()

    assert [r["data"] for r in allowed] == [{"__typename": "Query"}] * 3
    assert refused["errors"][0]["extensions"]["limit"] == 3


def test_batch_and_validation_defaults_depend_on_the_environment() -> None:
    dev = Settings(environment="development")
    prod = Settings(
        environment="production",
        jwt_secret_key="x" * 32,
        phi_encryption_key="cHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHA=",
    )

    assert (dev.batch_limit, dev.validation_error_limit) == (10, 100)
    assert (prod.batch_limit, prod.validation_error_limit) == (1, 3)
