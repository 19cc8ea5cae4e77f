"""The collector's policy: young objects collected in idle moments only."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from app import RequestContextMiddleware
from services import collector as policy
from services.collector import Collector


@pytest.fixture
def quiet_collector() -> Iterator[None]:
    """No automatic collection while a test makes its garbage."""
    before = gc.get_threshold()
    gc.collect()
    gc.set_threshold(10**7)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _cycles(n: int) -> None:
    for _ in range(n):
        cycle: list[Any] = []
        cycle.append(cycle)


@pytest.mark.usefixtures("quiet_collector")
def test_young_garbage_is_collected_when_idle_and_only_then() -> None:
    collector = Collector()
    _cycles(policy.IDLE_COLLECT_AFTER + 5_000)
    assert gc.get_count()[0] >= policy.IDLE_COLLECT_AFTER

    collector.in_flight = 1
    assert collector.collect_if_idle() is False
    assert gc.get_count()[0] >= policy.IDLE_COLLECT_AFTER

    collector.in_flight = 0
    assert collector.collect_if_idle() is True
    assert gc.get_count()[0] < 1_000
    assert collector.idle_collections == 1
    # too little left to be worth a collection
    assert collector.collect_if_idle() is False


@pytest.mark.usefixtures("quiet_collector")
def test_idle_collections_reach_the_old_generation_in_turn() -> None:
    """Old cycles are collected too: after as many young collections as the
    thresholds say, an idle moment collects the middle, then the whole heap."""
    collector = Collector()
    young_first = gc.get_stats()[0]["collections"]
    full_first = gc.get_stats()[2]["collections"]
    rounds = policy.THRESHOLDS[1] * (policy.THRESHOLDS[2] + 1) + 1
    for _ in range(rounds):
        _cycles(policy.IDLE_COLLECT_AFTER + 1_000)
        assert collector.collect_if_idle() is True
    assert gc.get_stats()[0]["collections"] > young_first
    assert gc.get_stats()[2]["collections"] > full_first


@pytest.mark.usefixtures("quiet_collector")
def test_the_last_request_to_end_collects_and_the_others_do_not() -> None:
    collector = Collector()
    collector.request_started()
    collector.request_started()
    _cycles(policy.IDLE_COLLECT_AFTER + 5_000)

    collector.request_ended()
    assert collector.idle_collections == 0
    collector.request_ended()
    assert collector.idle_collections == 1
    assert gc.get_count()[0] < 1_000


async def test_http_requests_in_flight_are_counted_failed_too_websockets_not() -> None:
    seen: list[int] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(policy.collector.in_flight)
        if scope["path"] == "/boom":
            raise RuntimeError("the handler failed")
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        else:
            raise RuntimeError("the connection failed")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        return None

    app = RequestContextMiddleware(inner)
    before = policy.collector.in_flight
    http = {"type": "http", "method": "GET", "path": "/health", "headers": []}
    await app(http, receive, send)
    with pytest.raises(RuntimeError):
        await app(
            {"type": "websocket", "path": "/graphql", "headers": []}, receive, send
        )

    with pytest.raises(RuntimeError):
        await app({**http, "path": "/boom"}, receive, send)

    assert seen == [before + 1, before, before + 1]
    assert policy.collector.in_flight == before
