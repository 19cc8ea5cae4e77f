"""The query as plain data for the read services: the names a field selects
and the PHI fields among them (read from the query's AST with query_ast.py,
so no per-field hook runs), memoized per field of the query; and
``audit_reads`` for the resolvers that record their READs themselves."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from strawberry.types import Info

from query_ast import names_below, without_directives
from resolvers.context import Context
from services.reads import record_reads

# the fields that disclose protected health information, per GraphQL type
PHI_FIELDS: dict[str, frozenset[str]] = {
    "Patient": frozenset(
        {
            "name",
            "email",
            "phone",
            "dateOfBirth",
            "sessions",
            "treatmentPlans",
            "consents",
        }
    ),
    "TherapySession": frozenset(
        {
            "sessionDate",
            "durationMinutes",
            "attendance",
            "status",
            "errorMessage",
            "audio",
            "transcript",
            "notes",
            "noteVersions",
            "events",
        }
    ),
    "Transcript": frozenset({"text", "segments", "language"}),
    "SessionNotes": frozenset(
        {
            "keyTopics",
            "topicSummary",
            "strategies",
            "actionItems",
            "sessionMood",
            "moodTrajectory",
            "therapistNotes",
            "patientSummary",
            "riskFlags",
            "formatted",
            "topics",
            "addenda",
        }
    ),
    "TreatmentPlan": frozenset({"title", "status", "goals"}),
    "RiskAlert": frozenset(
        {"severity", "flags", "acknowledgementNote", "session", "patient"}
    ),
}


def static_selection(info: Info[Context, Any]) -> bool:
    """``without_directives`` below the current field, once per field of the
    query (a page asks once per patient)."""
    raw = info._raw_info
    key = ("static", tuple(id(n) for n in raw.field_nodes))
    found: bool | None = info.context.memo.get(key)
    if found is None:
        found = without_directives(raw.field_nodes, raw.fragments)
        info.context.memo[key] = found
    return found


def selected_names(info: Info[Context, Any], *path: str) -> set[str]:
    """Names selected below the current field, following ``path`` (e.g. the
    ``edges``, ``node`` of a connection); fragments are looked through. Reads
    the query's AST directly: strawberry's ``selected_fields`` converts the
    whole subtree on every call."""
    raw = info._raw_info
    return names_below(raw.field_nodes, raw.fragments, *path)


def phi_selected(info: Info[Context, Any], type_name: str, *path: str) -> list[str]:
    """The PHI fields selected; computed once per field of the query, not once
    per object (a list of 500 sessions asks 500 times for the same answer)."""
    nodes = tuple(id(n) for n in info._raw_info.field_nodes)
    key = (nodes, type_name, path)
    cache = info.context.memo
    found: list[str] | None = cache.get(key)
    if found is None:
        found = sorted(selected_names(info, *path) & PHI_FIELDS[type_name])
        cache[key] = found
    return found


def audit_reads(
    info: Info[Context, Any],
    type_name: str,
    objects: Iterable[tuple[uuid.UUID, uuid.UUID | None]],
    *path: str,
) -> None:
    """One READ event per patient for the objects this field returned, naming
    the PHI fields selected on them (services/reads.py ``record_reads``)."""
    rows = list(objects)
    if rows:
        record_reads(
            info.context, type_name, rows, phi_selected(info, type_name, *path)
        )
