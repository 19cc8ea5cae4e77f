from __future__ import annotations

import asyncio

import httpx
from alembic import command
from sqlalchemy.ext.asyncio import AsyncSession

from app import create_app
from db.engine import create_engine, create_sessionmaker
from db.runtime import alembic_config
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import create_user, token_for
from tests.pg import PgServer

ME = "query { me { id email fullName role } }"


async def test_health_reports_database_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["version"]


async def test_health_is_503_naming_the_database_when_it_is_down() -> None:
    settings = Settings(environment="test")
    bad = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    engine = create_engine(settings, bad)
    app = create_app(settings, session_factory=create_sessionmaker(engine))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.get("/health")
    await engine.dispose()

    assert response.status_code == 503
    assert response.json()["database"] != "ok"
    assert "database" in response.json()["status"]


async def test_health_is_503_naming_jobs_when_the_queue_is_not_installed(
    pg: PgServer,
) -> None:
    # the data schema only: no job queue tables
    url = pg.create_database("tb_nojobs")
    # alembic runs its own event loop: give it a thread
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    settings = Settings(environment="test")
    engine = create_engine(settings, url)
    app = create_app(settings, session_factory=create_sessionmaker(engine))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.get("/health")
    await engine.dispose()

    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["jobs"] == "unavailable"
    assert "jobs" in response.json()["status"]


async def test_me_returns_the_caller(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    user = await create_user(db, first_name="Ada", last_name="Byron")

    body = await gql(ME, token=token_for(settings, user))

    assert body["data"]["me"]["email"] == user.email
    assert body["data"]["me"]["fullName"] == "Ada Byron"
    assert body["data"]["me"]["role"] == "THERAPIST"


async def test_me_is_null_without_a_token(gql: GQL) -> None:
    assert (await gql(ME))["data"]["me"] is None


async def test_node_of_a_user_round_trips_the_global_id(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    user = await create_user(db)
    token = token_for(settings, user)
    me = (await gql(ME, token=token))["data"]["me"]

    body = await gql(
        "query($id: ID!) { node(id: $id) { id ... on User { email } } }",
        {"id": me["id"]},
        token=token,
    )

    assert body["data"]["node"] == {"id": me["id"], "email": user.email}


async def test_unparsable_json_is_a_400_not_a_500(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{bad", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_invalid_query_carries_a_code(gql: GQL) -> None:
    body = await gql("query { noSuchField }")
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_responses_carry_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ me { id } }"})

    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-request-id"]
