"""/metrics: Prometheus text that the Prometheus parser reads."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession

from services import metrics
from settings import Settings
from tests.conftest import GQL
from tests.factories import create_user, token_for

NAMED_ME = "query WhoAmIForMetrics { me { id } }"
NAMED_BAD = "query BrokenForMetrics { noSuchField }"
NAMED_NEEDS_LOGIN = "query AuditNeedsLogin { auditLog { totalCount } }"


async def _scrape(
    client: httpx.AsyncClient,
) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[str, list[tuple[str, dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        samples[family.name] = [(s.name, s.labels, s.value) for s in family.samples]
    return samples


def _value(
    samples: list[tuple[str, dict[str, str], float]], name: str, **labels: str
) -> float:
    return sum(
        v for n, lbl, v in samples if n == name and labels.items() <= lbl.items()
    )


async def test_a_named_query_is_counted_with_its_name_and_outcome(
    gql: GQL, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    user = await create_user(db)
    token = token_for(settings, user)
    before = await _scrape(client)

    await gql(NAMED_ME, token=token)
    await gql(NAMED_ME, token=token)
    after = await _scrape(client)

    requests = "therapybridge_graphql_requests"
    key = {"operation": "WhoAmIForMetrics", "operation_type": "query", "outcome": "ok"}
    grown = _value(after[requests], f"{requests}_total", **key) - _value(
        before.get(requests, []), f"{requests}_total", **key
    )
    assert grown == 2
    latency = "therapybridge_graphql_request_duration_seconds"
    assert _value(after[latency], f"{latency}_count", operation="WhoAmIForMetrics") >= 2


async def test_errors_are_counted_by_their_code(
    gql: GQL, client: httpx.AsyncClient
) -> None:
    await gql(NAMED_BAD)
    samples = await _scrape(client)

    requests = "therapybridge_graphql_requests"
    assert (
        _value(
            samples[requests],
            f"{requests}_total",
            operation="BrokenForMetrics",
            outcome="BAD_USER_INPUT",
        )
        >= 1
    )


async def test_operation_names_are_bounded_labels() -> None:
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("Robert'); DROP") == "invalid"
    assert metrics.operation_label("x" * 65) == "invalid"
    assert metrics.operation_label("PatientList") == "PatientList"


async def test_jobs_subscriptions_pool_and_queue_are_exposed(
    client: httpx.AsyncClient,
) -> None:
    with metrics.observe_job("test.ok_task"):
        pass
    try:
        with metrics.observe_job("test.failing_task"):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with metrics.track_subscription():
        during = await _scrape(client)
    after = await _scrape(client)

    jobs = "therapybridge_jobs"
    assert _value(during[jobs], f"{jobs}_total", task="test.ok_task", outcome="ok") >= 1
    failures = "therapybridge_job_failures"
    assert _value(during[failures], f"{failures}_total", task="test.failing_task") >= 1
    duration = "therapybridge_job_duration_seconds"
    assert _value(during[duration], f"{duration}_count", task="test.ok_task") >= 1
    subs = "therapybridge_open_subscriptions"
    assert _value(during[subs], subs) - _value(after[subs], subs) == 1
    assert "therapybridge_job_queue_depth" in after
    assert "therapybridge_db_pool_checked_out" in after
