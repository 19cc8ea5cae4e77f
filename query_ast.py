"""Reading a GraphQL query's AST: which fields a selection names, and whether
what it selects depends on the variables.

A leaf: it imports graphql-core and nothing of ours, so the resolvers (which
turn the query into plain data for the services) and the executor
(schema/fastexec, which plans completions from the same AST) share it
without either depending on the other's layer. ``tests/test_layout.py``
keeps it a leaf.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
)

Fragments = Mapping[str, FragmentDefinitionNode]


def fields_of(
    selections: Iterable[SelectionNode], fragments: Fragments
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


def names_below(
    field_nodes: Sequence[FieldNode], fragments: Fragments, *path: str
) -> set[str]:
    """Names selected below ``field_nodes``, following ``path`` (e.g. the
    ``edges``, ``node`` of a connection); fragments are looked through."""
    level = list(field_nodes)
    for step in (None, *path):
        level = fields_of(
            (
                s
                for f in level
                if (step is None or f.name.value == step) and f.selection_set
                for s in f.selection_set.selections
            ),
            fragments,
        )
    return {f.name.value for f in level}


def without_directives(nodes: Iterable[FieldNode], fragments: Fragments) -> bool:
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
