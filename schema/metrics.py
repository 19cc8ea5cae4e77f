"""Counts and times every GraphQL operation; names it in the log context."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from schema.errors import known_failure
from services import logs, metrics
from services.errors import AppError


def outcome_of(errors: list[GraphQLError] | None) -> str:
    """``ok``, or the code of the first error (as the response reports it)."""
    if not errors:
        return "ok"
    original = errors[0].original_error
    original = known_failure(original) or original
    if isinstance(original, AppError):
        return original.code
    if original is None:
        code = (errors[0].extensions or {}).get("code")
        return code if isinstance(code, str) else "BAD_USER_INPUT"
    return "INTERNAL_SERVER_ERROR"


class Metrics(SchemaExtension):
    """One instance per operation (strawberry instantiates extension classes)."""

    subscribed = False

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        # parsed by now: every log line the resolvers write names the operation
        logs.bind(operation=metrics.operation_label(ec.operation_name))
        if _operation_type(ec) == "subscription" and not self.subscribed:
            self.subscribed = True
            metrics.subscription_opened()
        yield

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        ec = self.execution_context
        try:
            yield
        finally:
            # a subscription's operation lasts as long as its stream
            if self.subscribed:
                metrics.subscription_closed()
        if self.subscribed:
            return
        errors = ec.result.errors if ec.result else ec.pre_execution_errors
        metrics.observe_request(
            _operation_type(ec),
            metrics.operation_label(ec.operation_name),
            outcome_of(errors),
            time.perf_counter() - started,
        )


def _operation_type(ec: Any) -> str:
    try:
        return str(ec.operation_type.value)
    except Exception:  # no parsable document
        return "unknown"
