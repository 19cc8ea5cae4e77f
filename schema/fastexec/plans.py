"""Plans of the one-step completion (context.py): which selected
fields of an object are leaves, and which are children completed with it.

A plan follows from the type's fields and the selection alone: a field whose
subtree carries a directive, a middleware-wrapped resolver, arguments or
@defer has none, and keeps graphql-core's path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from keyword import iskeyword
from typing import TYPE_CHECKING, Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)
from graphql.execution.collect_fields import (
    FieldDetailsList,
    FragmentDetails,
    GroupedFieldSet,
)

from query_ast import without_directives
from schema.fastexec.direct import Kind, kind_of
from schema.fastexec.internals import definition

if TYPE_CHECKING:
    from schema.fastexec.context import FastExecutionContext


class Leaf(NamedTuple):
    """One selected field of a leaf-only object."""

    key: str  # the response key
    name: str  # the field's name, "__typename" included
    attr: str | None  # read as ``source.<attr>`` (strawberry's default getattr)
    read: Callable[..., Any] | None  # else read as ``read(source, None)``
    scalar: GraphQLScalarType | GraphQLEnumType | None
    non_null: bool
    # a list of ``scalar`` (one level), whose items are non-null or not
    is_list: bool = False
    items_non_null: bool = False


class Child(NamedTuple):
    """One selected field of an object type whose own selection is a whole
    plan: a connection's ``edges``, an edge's ``node``, a session's primed
    ``notes``. Only where the field's subtree carries no directive (so the
    plan follows from the document alone) and its read is repeatable."""

    key: str
    name: str
    attr: str | None  # read as ``source.<attr>``
    read: Callable[..., Any] | None  # else ``read(source, info)``
    with_info: bool  # ``read`` takes a resolve info (shared by every source)
    object_type: GraphQLObjectType
    plan: tuple[Leaf | Child, ...]
    non_null: bool
    is_list: bool
    items_non_null: bool
    field: Any  # the GraphQLField, for the shared resolve info
    details: FieldDetailsList
    parent_type: GraphQLObjectType


Plan = tuple[Leaf | Child, ...]
# complete(source, execution context)
Completer = Callable[[Any, Any], dict[str, Any]]

NO_PLAN: Plan = ()


class Fallback(Exception):
    """This object (or list) is unusual: graphql-core's own path completes it."""


def make_plan(
    parent_type: GraphQLObjectType,
    grouped_field_set: GroupedFieldSet,
    context: FastExecutionContext,
) -> Plan | None:
    """The plan of an object whose selected fields are all leaves or planned
    children, else None."""
    plan: list[Leaf | Child] = []
    for key, details in grouped_field_set.items():
        entry = _leaf(parent_type, key, details, context) or _child(
            parent_type, key, details, context
        )
        if entry is None:
            return None
        plan.append(entry)
    return tuple(plan)


def _child(
    parent_type: GraphQLObjectType,
    key: str,
    details: FieldDetailsList,
    context: FastExecutionContext,
) -> Child | None:
    """A field of an object type completed with a whole plan of its own: read
    as a plain attribute, by a synchronous function of the parent alone, or by
    a synchronous resolver marked repeatable (direct.py), whose subtree
    has no directive and no @defer; else None."""
    node = details[0].node
    if any(d.defer_usage is not None for d in details):
        return None
    field = parent_type.fields.get(node.name.value)
    if field is None or field.args or node.arguments or not node.selection_set:
        return None
    resolve = _own_resolver(field, context)
    if resolve is None:
        return None
    child_type, non_null, is_list, items_non_null = _unwrap(field.type)
    if not isinstance(child_type, GraphQLObjectType):
        return None
    with_info = False
    attr: str | None
    read: Callable[..., Any] | None
    kind = kind_of(resolve)
    if kind is Kind.ROOT_ONLY:
        attr, read = None, resolve
    elif kind is Kind.REPEATABLE:
        attr, read, with_info = None, resolve, True
    else:
        found = _reader(field)
        if found is None:
            return None
        attr, read = found
    if not _static([d.node for d in details], context.fragments):
        return None
    grouped, new_defer_usages, _ = context.collect_subfields(child_type, details)
    if new_defer_usages:
        return None
    plan = make_plan(child_type, grouped, context)
    if not plan:
        return None
    return Child(
        key,
        node.name.value,
        attr,
        read,
        with_info,
        child_type,
        plan,
        non_null,
        is_list,
        items_non_null,
        field,
        details,
        parent_type,
    )


def _static(nodes: Iterable[FieldNode], fragments: dict[str, FragmentDetails]) -> bool:
    """Whether nothing below ``nodes`` carries a directive (then what they
    select does not depend on the variables, and a plan of it can be shared);
    fragments with variable signatures count as directives."""
    plain = {
        name: found.definition
        for name, found in fragments.items()
        if not found.variable_signatures
    }
    return without_directives(nodes, plain)


def partial_plan(
    parent_type: GraphQLObjectType,
    grouped_field_set: GroupedFieldSet,
    context: FastExecutionContext,
) -> Plan | None:
    """The leaves of an object that also selects other fields (a session's id
    and date beside its notes), or None when it has none."""
    if any(d.defer_usage is not None for ds in grouped_field_set.values() for d in ds):
        return None
    plan = [
        leaf
        for key, details in grouped_field_set.items()
        if (leaf := _leaf(parent_type, key, details, context)) is not None
    ]
    return tuple(plan) or None


def _leaf(
    parent_type: GraphQLObjectType,
    key: str,
    details: FieldDetailsList,
    context: FastExecutionContext,
) -> Leaf | None:
    node = details[0].node
    if any(d.defer_usage is not None for d in details):
        return None
    name = node.name.value
    if name == "__typename":
        return Leaf(key, name, None, None, None, True)
    field = parent_type.fields.get(name)
    if field is None or field.args or node.arguments or node.selection_set:
        return None
    resolve = _own_resolver(field, context)
    if resolve is None:
        return None
    leaf, non_null, is_list, items_non_null = _unwrap(field.type)
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    # a field without a resolver function, or direct.py's direct call of
    # a synchronous function of the parent alone
    attr: str | None
    read: Callable[..., Any] | None
    if kind_of(resolve) is Kind.ROOT_ONLY:
        attr, read = None, resolve
    else:
        found = _reader(field)
        if found is None:
            return None
        attr, read = found
    return Leaf(key, name, attr, read, leaf, non_null, is_list, items_non_null)


def _own_resolver(
    field: Any, context: FastExecutionContext
) -> Callable[..., Any] | None:
    """The field's resolve function, or None when it has none or a middleware
    wraps it (a middleware wrapping field resolvers must see every field)."""
    resolve: Callable[..., Any] | None = field.resolve
    middleware = context.middleware_manager
    if resolve is None or (
        middleware is not None and middleware.get_field_resolver(resolve) is not resolve
    ):
        return None
    return resolve


def _unwrap(output: Any) -> tuple[Any, bool, bool, bool]:
    """(the named type, non-null, a list, its items non-null): one level of
    list at the most (a list of lists stays wrapped, and is no leaf)."""
    non_null = isinstance(output, GraphQLNonNull)
    if non_null:
        output = output.of_type
    is_list = isinstance(output, GraphQLList)
    items_non_null = False
    if is_list:
        output = output.of_type
        items_non_null = isinstance(output, GraphQLNonNull)
        if items_non_null:
            output = output.of_type
    return output, non_null, is_list, items_non_null


def _reader(
    field: Any,
) -> tuple[str | None, Callable[..., Any] | None] | None:
    """What strawberry's basic resolver does for a field without a resolver
    function, without its two calls in between: the configured default
    resolver (getattr) on the field's Python name. An attribute read when
    that is the built-in getattr, else a function; None for any other field
    (a resolver function, or field extensions such as permissions)."""
    found = definition(field)
    if found is None or not found.is_basic_field or not found.python_name:
        return None
    default, name = found.default_resolver, found.python_name
    if default is getattr and name.isidentifier() and not iskeyword(name):
        return name, None

    def read(source: Any, _info: Any) -> Any:
        return default(source, name)

    return None, read
