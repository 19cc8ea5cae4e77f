"""The GraphQL surface: types, inputs, enums, scalars, permissions, the Schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StreamResult
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from schema.alerts import AlertMutation, AlertQuery, AlertSubscription
from schema.audit import AuditQuery
from schema.auth import AuthMutation
from schema.errors import apply_format, log_unexpected
from schema.exports import ExportMutation
from schema.extensions import UnitOfWork
from schema.fanout import shared
from schema.fanout_keys import group_key
from schema.fastexec import check_contract, install
from schema.guard import OperationGuard
from schema.metrics import Metrics
from schema.ops import OpsMutation
from schema.patients import PatientMutation, PatientQuery
from schema.pipeline import PipelineMutation, PipelineSubscription
from schema.practices import PracticeMutation, PracticeQuery
from schema.query import CoreQuery
from schema.review import ReviewMutation
from schema.scalars import SCALAR_MAP
from schema.sessions import SessionMutation, SessionQuery
from schema.types.analytics import AnalyticsQuery
from schema.types.notes import SessionNotesType
from schema.types.practice import InvitationType, PracticeType
from schema.types.treatment_plan import TreatmentPlanType
from settings import Settings

# Each part of the graph contributes its root fields here, one line each.
QUERIES: tuple[type, ...] = (
    CoreQuery,
    PatientQuery,
    SessionQuery,
    AuditQuery,
    AnalyticsQuery,
    PracticeQuery,
    AlertQuery,
)
MUTATIONS: tuple[type, ...] = (
    AuthMutation,
    PatientMutation,
    SessionMutation,
    PipelineMutation,
    OpsMutation,
    ExportMutation,
    PracticeMutation,
    ReviewMutation,
    AlertMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (PipelineSubscription, AlertSubscription)
# object types reachable only through interfaces (node/nodes)
TYPES: list[type] = [
    SessionNotesType,
    TreatmentPlanType,
    PracticeType,
    InvitationType,
]

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS) if MUTATIONS else None
Subscription = merge_types("Subscription", SUBSCRIPTIONS) if SUBSCRIPTIONS else None


class AppSchema(strawberry.Schema):
    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        # strawberry's default logs the full exception, which may carry PHI
        request_id = None
        if execution_context is not None and execution_context.context is not None:
            request_id = getattr(execution_context.context, "request_id", None)
        for error in errors:
            log_unexpected(error, request_id)
            apply_format(error, request_id, self.config.disable_field_suggestions)

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> StreamResult:
        """WebSocket subscriptions identical for one user share one execution
        per event (schema/fanout.py); everything else streams as usual."""
        key = None
        if operation_extensions is None and root_value is None:
            key = group_key(context_value, query, variable_values, operation_name)
        if key is None:
            return await super().stream(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                operation_extensions,
                allowed_operation_types,
            )

        async def start(leader: Any) -> Any:
            return await super(AppSchema, self).stream(
                query,
                variable_values,
                leader,
                None,
                operation_name,
                None,
                allowed_operation_types,
            )

        return await shared.join(key, context_value, start)


def build_schema(
    *,
    production: bool = False,
    query: type | None = None,
    mutation: type | None = None,
    fast_execution: bool = True,
    **kwargs: Any,
) -> AppSchema:
    """The schema; ``production`` turns introspection and field suggestions off;
    ``fast_execution`` (the FAST_EXECUTION setting) installs schema/fastexec.

    OperationGuard parses and validates (cached) and enforces the limits, so it
    replaces strawberry's ParserCache and ValidationCache.
    """
    extensions: list[Any] = [Metrics, UnitOfWork, OperationGuard]
    if production:
        extensions.append(DisableIntrospection)
    built = AppSchema(
        query=query or Query,
        mutation=mutation or Mutation,
        subscription=Subscription,
        types=TYPES,
        extensions=extensions,
        config=StrawberryConfig(
            auto_camel_case=True,
            scalar_map=SCALAR_MAP,
            disable_field_suggestions=production,
        ),
        **kwargs,
    )
    if fast_execution:
        install(built)
    else:
        check_contract(built)
    return built


# the development schema: export-schema prints it (every mode's SDL is the same)
schema = build_schema()
_built: dict[tuple[bool, bool], AppSchema] = {(False, True): schema}


def schema_for(settings: Settings) -> AppSchema:
    """The schema for the settings' mode and FAST_EXECUTION, each built once."""
    key = (settings.is_production, settings.fast_execution)
    found = _built.get(key)
    if found is None:
        found = build_schema(production=key[0], fast_execution=key[1])
        _built[key] = found
    return found
