"""The GraphQL surface: types, inputs, enums, scalars, permissions, the Schema."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.audit import AuditQuery
from schema.auth import AuthMutation
from schema.errors import log_unexpected
from schema.exports import ExportMutation
from schema.extensions import UnitOfWork
from schema.metrics import Metrics
from schema.ops import OpsMutation
from schema.patients import PatientMutation, PatientQuery
from schema.pipeline import PipelineMutation, PipelineSubscription
from schema.query import CoreQuery
from schema.scalars import SCALAR_MAP
from schema.sessions import SessionMutation, SessionQuery
from schema.types.analytics import AnalyticsQuery
from schema.types.notes import SessionNotesType
from schema.types.treatment_plan import TreatmentPlanType

# Each part of the graph contributes its root fields here, one line each.
QUERIES: tuple[type, ...] = (
    CoreQuery,
    PatientQuery,
    SessionQuery,
    AuditQuery,
    AnalyticsQuery,
)
MUTATIONS: tuple[type, ...] = (
    AuthMutation,
    PatientMutation,
    SessionMutation,
    PipelineMutation,
    OpsMutation,
    ExportMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (PipelineSubscription,)
# object types reachable only through interfaces (node/nodes)
TYPES: list[type] = [
    SessionNotesType,
    TreatmentPlanType,
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


def build_schema(**kwargs: Any) -> AppSchema:
    return AppSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=TYPES,
        extensions=[
            Metrics,
            UnitOfWork,
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
        config=StrawberryConfig(
            auto_camel_case=True,
            scalar_map=SCALAR_MAP,  # type: ignore[arg-type]
        ),
        **kwargs,
    )


schema = build_schema()
