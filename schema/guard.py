"""The extension that enforces the operation limits on every operation.

It runs for HTTP and WebSocket alike (both go through the schema's extension
lifecycle) and also owns parsing and validation, cached: a document refused by
a limit never reaches the parser or the (partly quadratic) validation rules.
A refused document is replaced by an empty one of an allowed operation type and
its error set as the pre-execution error, because an exception raised in a
parse hook would escape strawberry's WebSocket stream instead of becoming a
GraphQL error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_operation_ast,
    parse,
)
from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from graphql import OperationType as CoreOperationType
from graphql.validation import ASTValidationRule, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.graphql import OperationType

from schema.cost import query_cost
from schema.documents import is_trusted, load_manifest, not_allowed
from schema.limits import (
    Limits,
    before_parsing,
    shape_errors,
    too_complex,
)
from schema.media import mark_request_errors
from schema.text_input import unstorable_text
from settings import Settings, get_settings

log = logging.getLogger("therapybridge.limits")


@lru_cache(maxsize=256)
def _parse(query: str) -> DocumentNode:
    return parse(query)


class _CleanDocuments:
    """Documents that passed every check that depends on the text alone
    (length, tokens, depth, aliases, directives, literal text) under given
    limits: a frontend sends the same few documents over and over, and lexing
    and walking each again cost ~1 ms a request. Only passes are kept (never
    an error object, which is formatted per request)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[str, Limits], None] = OrderedDict()

    def __contains__(self, key: tuple[str, Limits]) -> bool:
        if key in self._seen:
            self._seen.move_to_end(key)
            return True
        return False

    def add(self, key: tuple[str, Limits]) -> None:
        self._seen[key] = None
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)


_clean = _CleanDocuments()

# (query text, operation name) of documents that passed every check and whose
# operation is a query: such a request may run without a transaction
# (schema/view.py). Known only once seen, so a document is never parsed before
# the guard's checks; an unknown one runs in a transaction as every other.
_queries: OrderedDict[tuple[str, str | None], None] = OrderedDict()
_UNKNOWN = object()
_QUERIES_MAX = 512


def is_known_query(query: object, operation_name: object) -> bool:
    """Whether ``query`` (with ``operation_name``) passed the guard before as
    an operation that only reads."""
    if not isinstance(query, str) or not isinstance(operation_name, str | None):
        return False
    return (query, operation_name) in _queries


def _remember_query(
    query: str, operation_name: str | None, document: DocumentNode
) -> None:
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not CoreOperationType.QUERY:
        return
    _queries[(query, operation_name)] = None
    _queries.move_to_end((query, operation_name))
    while len(_queries) > _QUERIES_MAX:
        _queries.popitem(last=False)


@lru_cache(maxsize=256)
def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    max_errors: int,
) -> list[GraphQLError]:
    # strawberry's validate_document, with graphql-core's max_errors: in
    # production validation stops after a few errors (a document of many
    # unknown directives is not answered with one error each)
    extra = (MaybeNullValidationRule, OneOfInputValidationRule)
    return validate(schema, document, (*rules, *extra), max_errors=max_errors)


def _refused_document(allowed: Any, operation_name: object) -> DocumentNode:
    for kind in (OperationType.QUERY, OperationType.MUTATION):
        if kind in allowed:
            break
    else:
        kind = OperationType.SUBSCRIPTION
    name = NameNode(value=operation_name) if isinstance(operation_name, str) else None
    operation = OperationDefinitionNode(
        operation=CoreOperationType(kind.value),
        name=name,
        variable_definitions=(),
        directives=(),
        selection_set=SelectionSetNode(selections=()),
    )
    return DocumentNode(definitions=(operation,))


def _mark_coercion_errors(result: object) -> None:
    """graphql-core answers variables that do not coerce (and nothing else)
    from execute with no data and errors without a path, before any resolver
    ran: request errors like validation's (schema/media.py). Classified here,
    after the fact, so that valid variables are not coerced twice."""
    if not isinstance(result, GraphQLExecutionResult) or result.data is not None:
        return
    errors = result.errors or []
    if errors and all(e.path is None for e in errors):
        mark_request_errors(list(errors))


class OperationGuard(SchemaExtension):
    """Length, tokens, depth, aliases, directives, cost and time of an operation."""

    def __init__(self) -> None:
        self.cost: int | None = None

    @property
    def settings(self) -> Settings:
        settings = getattr(self.execution_context.context, "settings", None)
        return settings if isinstance(settings, Settings) else get_settings()

    @property
    def limits(self) -> Limits:
        return Limits.from_settings(self.settings)

    def _refuse(self, error: GraphQLError) -> None:
        ec = self.execution_context
        ec.graphql_document = _refused_document(
            ec.allowed_operations, ec.operation_name
        )
        ec.pre_execution_errors = mark_request_errors([error])

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        query = ec.query or ""
        trusted = self.settings.trusted_documents
        if trusted is not None and not is_trusted(load_manifest(trusted), query):
            # before the parser sees it: only the listed documents run at all
            self._refuse(not_allowed().as_graphql())
            yield
            return
        known = (query, self.limits) in _clean
        error = None if known else before_parsing(query, self.limits)
        if error is not None:
            self._refuse(error)
        elif ec.graphql_document is None:
            try:
                ec.graphql_document = _parse(query)
            except GraphQLError as syntax_error:
                self._refuse(syntax_error)
        yield

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.pre_execution_errors is None and ec.graphql_document is not None:
            errors = self._check(ec.graphql_document)
            ec.pre_execution_errors = mark_request_errors(errors) if errors else []
        yield

    def _check(self, document: DocumentNode) -> list[GraphQLError]:
        ec = self.execution_context
        limits = self.limits
        key = (ec.query or "", limits)
        known = key in _clean
        if not known:
            errors = shape_errors(document, limits)
            if errors:
                return errors
        errors = _validate(
            ec.schema._schema,
            document,
            tuple(ec.validation_rules),
            limits.validation_errors,
        )
        if errors:
            return list(errors)
        variables = ec.variables if isinstance(ec.variables, dict) else None
        refused = unstorable_text(document, variables, literals=not known)
        if refused is not None:
            return [refused]
        if not known and ec.query:
            # passed length, tokens, shape and literal text: skip those next time
            # (but only when the document came from this very query text)
            _clean.add(key)
        cost = query_cost(
            ec.schema._schema,
            document,
            ec.operation_name,
            variables,
            limits.connection_size,
        )
        if cost > limits.cost:
            return [too_complex("cost", limits.cost, cost)]
        self.cost = cost
        # keyed by the operation name as the request gave it (strawberry's
        # operation_name falls back to the document's only operation)
        provided = getattr(ec, "_provided_operation_name", _UNKNOWN)
        if (
            ec.query
            and _parse(ec.query) is document
            and isinstance(provided, str | None)
        ):
            _remember_query(ec.query, provided, document)
        return []

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        if ec.operation_type is OperationType.SUBSCRIPTION:
            yield
            return
        seconds = self.limits.timeout_seconds
        started = time.monotonic()
        try:
            async with asyncio.timeout(seconds):
                yield
            _mark_coercion_errors(ec.result)
        except TimeoutError:
            elapsed = round(time.monotonic() - started, 3)
            log.warning(
                "operation timed out after %.3fs (request %s)",
                elapsed,
                getattr(ec.context, "request_id", None),
            )
            raise too_complex("timeout", seconds, elapsed) from None

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.cost} if self.cost is not None else {}
