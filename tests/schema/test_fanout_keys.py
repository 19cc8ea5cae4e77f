"""Which WebSocket operations may share an execution (schema/fanout_keys.py)."""

from __future__ import annotations

import pytest

from schema.fanout_keys import asks_replay, is_subscription

SUB = "subscription S { sessionStatusChanged { status } }"
MIXED = "query Q { me { id } } subscription S { sessionStatusChanged { status } }"


@pytest.mark.parametrize(
    ("query", "operation", "expected"),
    [
        (SUB, None, True),
        (SUB, "S", True),
        (SUB, "Other", False),
        ("query { me { id } }", None, False),
        ('mutation { logout(refreshToken: "x") }', None, False),
        (MIXED, "S", True),
        (MIXED, "Q", False),
        (MIXED, None, False),  # ambiguous: the normal path reports it
        ("subscription {", None, False),  # a syntax error: the normal path
    ],
)
def test_only_a_single_subscription_operation_is_shared(
    query: str, operation: str | None, expected: bool
) -> None:
    assert is_subscription(query, operation, 1000) is expected


def test_a_document_over_the_token_limit_is_not_parsed_for_sharing() -> None:
    deep = "subscription { sessionStatusChanged { " + "status " * 200 + "} }"
    assert is_subscription(deep, None, 1000) is True
    assert is_subscription(deep, None, 50) is False


REPLAY = "subscription($a: String) { sessionStatusChanged(after: $a) { status } }"


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        (SUB, None, False),
        (REPLAY, None, False),
        (REPLAY, {"a": None}, False),
        (REPLAY, {"a": "000000000000G"}, True),
        (
            'subscription { sessionStatusChanged(after: "000000000000G") { status } }',
            None,
            True,
        ),
        ("subscription { sessionStatusChanged(after: null) { status } }", None, False),
    ],
)
def test_a_subscription_replaying_from_a_cursor_runs_on_its_own(
    query: str, variables: dict[str, object] | None, expected: bool
) -> None:
    # it replays from its own cursor: a group already running would skip that
    assert asks_replay(query, variables, 1000) is expected
