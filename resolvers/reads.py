"""Audit READ events for patient data: one event per object returned, naming
the PHI fields the query selected on it (read from the query's AST, so no
per-field hook runs: cost is one small dict per object)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
)
from strawberry.types import Info

from resolvers.audit import AuditAction, audit
from resolvers.context import Context

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


def _fields(
    selections: Iterable[SelectionNode], fragments: dict[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    """The fields of a selection set, looking through fragments."""
    out: list[FieldNode] = []
    stack = list(selections)
    while stack:
        sel = stack.pop(0)
        if isinstance(sel, FieldNode):
            out.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            stack[:0] = sel.selection_set.selections
        elif isinstance(sel, FragmentSpreadNode):
            fragment = fragments.get(sel.name.value)
            if fragment is not None:
                stack[:0] = fragment.selection_set.selections
    return out


def without_directives(
    nodes: Iterable[FieldNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> bool:
    """Whether nothing selected below ``nodes`` carries a directive or spreads
    a fragment with arguments: then what they select does not depend on the
    variables (every field named in the AST is executed)."""
    stack: list[SelectionNode] = [
        s for n in nodes if n.selection_set for s in n.selection_set.selections
    ]
    seen: set[str] = set()
    while stack:
        selection = stack.pop()
        if selection.directives:
            return False
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if (
                fragment is None
                or fragment.directives
                or fragment.variable_definitions
                or getattr(selection, "arguments", None)
            ):
                return False
            if name not in seen:
                seen.add(name)
                stack.extend(fragment.selection_set.selections)
            continue
        selection_set = getattr(selection, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return True


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
    level = list(raw.field_nodes)
    for step in (None, *path):
        level = _fields(
            (
                s
                for f in level
                if (step is None or f.name.value == step) and f.selection_set
                for s in f.selection_set.selections
            ),
            raw.fragments,
        )
    return {f.name.value for f in level}


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
    every object (the request's READs of one list are coalesced further when
    written: services/audit.py)."""
    by_patient: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for entity_id, patient_id in objects:
        by_patient.setdefault(patient_id, []).append(entity_id)
    if not by_patient:
        return
    fields = phi_selected(info, type_name, *path)
    for patient_id, ids in by_patient.items():
        one = len(ids) == 1
        audit(
            info.context,
            AuditAction.READ,
            type_name,
            ids[0] if one else None,
            patient_id,
            fields,
            entity_ids=None if one else ids,
        )
