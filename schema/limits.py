"""Operation limits, measured on the document before anything runs.

Length and tokens are counted before parsing; depth, aliases and directives on
the syntax tree before validation (validation itself is quadratic in places, so
an abusive document must be refused before it); the cost after validation, with
the variables, is in ``schema/cost.py``.
Fragments are expanded when counting but measured once each, so a "fragment
bomb" is cheap to measure and still counted at its expanded size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    TokenKind,
)
from graphql.language import Lexer

from services.errors import QueryTooComplex
from settings import Settings

# Fields of ``__Type`` that fan out to more types. The standard introspection
# query has at most one of them on any path; "circular introspection"
# (``fields { type { fields { type ...``) has several.
INTROSPECTION_FANOUT = frozenset(
    {"fields", "inputFields", "interfaces", "possibleTypes", "enumValues"}
)
MAX_INTROSPECTION_FANOUT = 1


@dataclass(frozen=True)
class Limits:
    depth: int
    aliases: int
    tokens: int
    directives: int
    chars: int
    cost: int
    connection_size: int
    timeout_seconds: float
    validation_errors: int = 100

    @classmethod
    def from_settings(cls, s: Settings) -> Limits:
        return cls(
            depth=s.max_query_depth,
            aliases=s.max_query_aliases,
            tokens=s.max_query_tokens,
            directives=s.max_query_directives,
            chars=s.max_query_chars,
            cost=s.max_query_cost,
            connection_size=s.default_connection_size,
            timeout_seconds=s.operation_timeout_seconds,
            validation_errors=s.validation_error_limit,
        )


def too_complex(kind: str, limit: float, measured: float) -> GraphQLError:
    """The QUERY_TOO_COMPLEX error for one exceeded limit."""
    exc = QueryTooComplex(
        f"Operation {kind} is {measured}; the limit is {limit}",
        kind=kind,
        limit=limit,
        measured=measured,
    )
    return GraphQLError(exc.message, original_error=exc)


def count_tokens(query: str) -> int:
    """Lexical tokens (comments excluded); stops quietly at a syntax error,
    which the parser then reports."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
    except GraphQLError:
        pass
    return count


def before_parsing(query: str, limits: Limits) -> GraphQLError | None:
    if len(query) > limits.chars:
        return too_complex("characters", limits.chars, len(query))
    tokens = count_tokens(query)
    if tokens > limits.tokens:
        return too_complex("tokens", limits.tokens, tokens)
    return None


@dataclass(frozen=True)
class Shape:
    depth: int
    aliases: int
    fanout: int


class _ShapeWalker:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[tuple[str, bool], Shape] = {}
        self.active: set[str] = set()

    def selections(self, node: SelectionSetNode | None, intro: bool) -> Shape:
        depth = aliases = fanout = 0
        for sel in node.selections if node else ():
            if isinstance(sel, FieldNode):
                name = sel.name.value
                inner = intro or name.startswith("__")
                child = self.selections(sel.selection_set, inner)
                own_depth = 0 if inner else 1 + child.depth
                own_fan = child.fanout + (inner and name in INTROSPECTION_FANOUT)
                aliases += child.aliases + (sel.alias is not None)
            elif isinstance(sel, InlineFragmentNode):
                child = self.selections(sel.selection_set, intro)
                own_depth, own_fan = child.depth, child.fanout
                aliases += child.aliases
            elif isinstance(sel, FragmentSpreadNode):
                child = self.fragment(sel.name.value, intro)
                own_depth, own_fan = child.depth, child.fanout
                aliases += child.aliases
            else:  # pragma: no cover - graphql has no other selection
                continue
            depth = max(depth, own_depth)
            fanout = max(fanout, own_fan)
        return Shape(depth, aliases, fanout)

    def fragment(self, name: str, intro: bool) -> Shape:
        key = (name, intro)
        if key in self.memo:
            return self.memo[key]
        definition = self.fragments.get(name)
        # unknown and cyclic spreads are reported by validation afterwards
        if definition is None or name in self.active:
            return Shape(0, 0, 0)
        self.active.add(name)
        shape = self.selections(definition.selection_set, intro)
        self.active.discard(name)
        self.memo[key] = shape
        return shape


def _all_nodes(node: Node) -> Iterator[Node]:
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Node):
            yield current
            stack.extend(getattr(current, key) for key in current.keys)
        elif isinstance(current, tuple | list):
            stack.extend(current)


def shape_errors(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """Depth, aliases, directives and introspection nesting of the document."""
    walker = _ShapeWalker(document)
    depth = aliases = fanout = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            shape = walker.selections(definition.selection_set, False)
            depth = max(depth, shape.depth)
            aliases += shape.aliases
            fanout = max(fanout, shape.fanout)
    directives = sum(isinstance(n, DirectiveNode) for n in _all_nodes(document))
    errors = []
    if depth > limits.depth:
        errors.append(too_complex("depth", limits.depth, depth))
    if aliases > limits.aliases:
        errors.append(too_complex("aliases", limits.aliases, aliases))
    if directives > limits.directives:
        errors.append(too_complex("directives", limits.directives, directives))
    if fanout > MAX_INTROSPECTION_FANOUT:
        errors.append(
            too_complex("introspectionDepth", MAX_INTROSPECTION_FANOUT, fanout)
        )
    return errors
