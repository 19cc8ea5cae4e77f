"""Objects made only of plain leaf fields are completed in one step.

graphql-core completes every field on its own: a resolve info, the resolver
through strawberry's wrapper, an awaitable check, the leaf's serialisation and a
path per field, at roughly 5 µs each. A transcript of 6,000 words has ~400
segments of 4 fields: 1,600 of those per detail page, more than the rest of it.

When every field a query selects on an object is a strawberry field without a
resolver (a plain attribute) of a scalar or enum type, with no arguments and no
@defer in play, the object's result is built directly: the same attribute read
(strawberry's own basic resolver is called), the same ``serialize`` of the leaf
type. Anything unusual for one object (a null in a non-null field, a value that
does not serialise, an awaitable) hands that object back to graphql-core's own
path, which reports it as it always does. ``tests/schema/test_fast_resolvers.py``
compares whole responses with and without this.

A list of such objects (the segments of a transcript) is completed in one loop
as well: no path, list-item, object-value and field-collection step per item.
If any item needs graphql-core's path, the whole list takes it.
The built-in scalars serialise their own Python type without the checks for
everything else (a finite float is a Float, a str a String or ID, an int in
range an Int, a bool a Boolean); any other value goes to graphql-core's
``serialize``. Each object's completion is a function generated once per type
and selection (bounded caches: selections come from clients).

Leaves are also lists of built-in scalars and synchronous resolvers of the
parent alone (schema/fast.py marks them). An object that selects leaves beside
other fields reads its leaves in one step and executes the others as
graphql-core does, in the selection's order. ``RawRecords`` lets a list of
stored records (a transcript's segments) be read without making objects when
each value is exactly what the object would hold. Plans are shared between
requests for the same field nodes (the guard's parse cache keeps a document's
nodes). ``tests/schema/test_leaf_records.py`` compares answers on awkward values
with graphql-core's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from inspect import isawaitable
from keyword import iskeyword
from math import isfinite
from typing import Any, NamedTuple, TypeVar, overload
from uuid import UUID

from graphql import (
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import (
    DeferUsage,
    FieldDetailsList,
    FragmentDetails,
    GroupedFieldSet,
)
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from resolvers.reads import without_directives
from schema.scalars import _serialize_datetime


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

_NO_PLAN: Plan = ()


class _Fallback(Exception):
    pass


class LeafRecordExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # keyed by the identity of graphql-core's memoised grouped field sets,
        # which this execution keeps alive
        self._leaf_plans: dict[int, tuple[GroupedFieldSet, Plan]] = {}
        self._partial_plans: dict[int, tuple[GroupedFieldSet, Plan]] = {}
        # one resolve info per planned child field and execution (kept with
        # the child, so its id stays its own)
        self._child_infos: dict[int, tuple[Child, GraphQLResolveInfo[Any]]] = {}

    def shared_info(self, child: Child) -> GraphQLResolveInfo[Any]:
        """The resolve info every source of ``child`` is read and checked
        with in this execution. Its path names the field, not each object:
        a read that fails hands the object to graphql-core, which reports
        the error at its own path."""
        found = self._child_infos.get(id(child))
        if found is None:
            info = self.build_resolve_info(
                child.field,
                [d.node for d in child.details],
                child.parent_type,
                Path(None, child.key, child.parent_type.name),
            )
            found = (child, info)
            self._child_infos[id(child)] = found
        return found[1]

    def execute_collected_subfields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path,
        grouped_field_set: GroupedFieldSet,
        new_defer_usages: Sequence[DeferUsage],
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = None if new_defer_usages else self._plan(parent_type, grouped_field_set)
        if plan:
            try:
                return _completer(parent_type, plan)(source_value, self)
            except _Fallback:
                pass
        return super().execute_collected_subfields(
            parent_type,
            source_value,
            path,
            grouped_field_set,
            new_defer_usages,
            position_context,
        )

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        non_null = isinstance(item_type, GraphQLNonNull)
        object_type: Any = (
            item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        )
        if (
            isinstance(object_type, GraphQLObjectType)
            and isinstance(items, list | tuple | RawRecords)
            and not self.get_stream_usage(field_details_list, path)
        ):
            grouped, new_defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            plan = None if new_defer_usages else self._plan(object_type, grouped)
            if plan and isinstance(items, RawRecords):
                raw = _raw_completer(object_type, plan)
                if raw is not None and object_type.is_type_of is None:
                    try:
                        return [raw(record, self) for record in items.records]
                    except _Fallback:
                        pass
                items = list(items)
            if plan:
                try:
                    return _complete_list(
                        plan, object_type, items, non_null, info, self
                    )
                except _Fallback:
                    pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's, with the object's leaves (if any) read in one step
        first; the other fields are executed as graphql-core does, in order."""
        partial = self._partial(parent_type, grouped_field_set)
        leaves = None
        if partial is not None:
            try:
                leaves = _completer(parent_type, partial)(source_value, self)
            except _Fallback:
                pass
        if leaves is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                if response_name in leaves:
                    results[response_name] = leaves[response_name]
                    continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background(
                    [results[field] for field in awaitable_fields]
                )
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(
                    *(results[field] for field in awaitable_fields)
                )
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _partial(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Plan | None:
        cached = self._partial_plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1] or None
        plan = self._shared("partial", _partial_plan, parent_type, grouped_field_set)
        self._partial_plans[id(grouped_field_set)] = (grouped_field_set, plan or ())
        return plan

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Plan | None:
        cached = self._leaf_plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        plan = self._shared("whole", _make_plan, parent_type, grouped_field_set)
        self._leaf_plans[id(grouped_field_set)] = (grouped_field_set, plan or _NO_PLAN)
        return plan

    def _shared(
        self,
        kind: str,
        make: Callable[
            [GraphQLObjectType, GroupedFieldSet, LeafRecordExecutionContext],
            Plan | None,
        ],
        parent_type: GraphQLObjectType,
        grouped_field_set: GroupedFieldSet,
    ) -> Plan | None:
        """A plan made for the same type and the same field nodes in an earlier
        request (the guard's parse cache gives a document the same nodes every
        time). A plan follows from the type's fields and those nodes alone;
        with a middleware it is made afresh (the middleware decides)."""
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:
            return make(parent_type, grouped_field_set, self)
        nodes = tuple(d.node for ds in grouped_field_set.values() for d in ds)
        key = (
            kind,
            parent_type,
            tuple(grouped_field_set),
            tuple(map(id, nodes)),
            tuple(
                d.defer_usage is not None
                for ds in grouped_field_set.values()
                for d in ds
            ),
        )
        found = _SHARED_PLANS.get(key)
        if found is not None:
            return found[1]
        plan = make(parent_type, grouped_field_set, self)
        if len(_SHARED_PLANS) >= _SHARED_PLANS_MAX:
            _SHARED_PLANS.clear()
        # the nodes are kept with the plan, so their ids cannot be reused
        _SHARED_PLANS[key] = (nodes, plan)
        return plan


_SHARED_PLANS: dict[tuple[Any, ...], tuple[tuple[Any, ...], Plan | None]] = {}
_SHARED_PLANS_MAX = 4096


def _make_plan(
    parent_type: GraphQLObjectType,
    grouped_field_set: GroupedFieldSet,
    context: LeafRecordExecutionContext,
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
    context: LeafRecordExecutionContext,
) -> Child | None:
    """A field of an object type completed with a whole plan of its own: read
    as a plain attribute, by a synchronous function of the parent alone, or by
    a synchronous resolver marked repeatable (schema/fast.py), whose subtree
    has no directive and no @defer; else None."""
    node = details[0].node
    if any(d.defer_usage is not None for d in details):
        return None
    field = parent_type.fields.get(node.name.value)
    if field is None or field.args or node.arguments or not node.selection_set:
        return None
    resolve = field.resolve
    middleware = context.middleware_manager
    if resolve is None or (
        middleware is not None and middleware.get_field_resolver(resolve) is not resolve
    ):
        return None
    child_type: Any = field.type
    non_null = isinstance(child_type, GraphQLNonNull)
    if non_null:
        child_type = child_type.of_type
    is_list = isinstance(child_type, GraphQLList)
    items_non_null = False
    if is_list:
        child_type = child_type.of_type
        items_non_null = isinstance(child_type, GraphQLNonNull)
        if items_non_null:
            child_type = child_type.of_type
    if not isinstance(child_type, GraphQLObjectType):
        return None
    with_info = False
    if getattr(resolve, "_is_default", False):
        attr, read = _reader(field, resolve)
    elif getattr(resolve, "_root_only", False):
        attr, read = None, resolve
    elif getattr(resolve, "_repeatable", False):
        attr, read, with_info = None, resolve, True
    else:
        return None
    if not _static([d.node for d in details], context.fragments):
        return None
    grouped, new_defer_usages, _ = context.collect_subfields(child_type, details)
    if new_defer_usages:
        return None
    plan = _make_plan(child_type, grouped, context)
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


def _partial_plan(
    parent_type: GraphQLObjectType,
    grouped_field_set: GroupedFieldSet,
    context: LeafRecordExecutionContext,
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
    context: LeafRecordExecutionContext,
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
    resolve = field.resolve
    if resolve is None:
        return None
    # a middleware wrapping field resolvers must see every field
    middleware = context.middleware_manager
    wrapped = middleware.get_field_resolver(resolve) if middleware else resolve
    if wrapped is not resolve:
        return None
    leaf: Any = field.type
    non_null = isinstance(leaf, GraphQLNonNull)
    if non_null:
        leaf = leaf.of_type
    is_list = isinstance(leaf, GraphQLList)
    items_non_null = False
    if is_list:
        leaf = leaf.of_type
        items_non_null = isinstance(leaf, GraphQLNonNull)
        if items_non_null:
            leaf = leaf.of_type
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    # strawberry marks its resolver of a field without a resolver function;
    # schema/fast.py its direct call of a synchronous function of the
    # parent alone
    if getattr(resolve, "_is_default", False):
        attr, read = _reader(field, resolve)
    elif getattr(resolve, "_root_only", False):
        attr, read = None, resolve
    else:
        return None
    return Leaf(key, name, attr, read, leaf, non_null, is_list, items_non_null)


def _reader(
    field: Any, resolve: Callable[..., Any]
) -> tuple[str | None, Callable[..., Any] | None]:
    """What strawberry's basic resolver does, without its two calls in between:
    the configured default resolver (getattr) on the field's Python name. An
    attribute read when that is the built-in getattr, else a function."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        isinstance(definition, StrawberryField)
        and definition.base_resolver is None
        and not definition.extensions
        and definition.python_name
    ):
        default, name = definition.default_resolver, definition.python_name
        if default is getattr and name.isidentifier() and not iskeyword(name):
            return name, None

        def read(source: Any, _info: Any) -> Any:
            return default(source, name)

        return None, read
    return None, resolve


_COMPILED: dict[tuple[Any, ...], Completer] = {}

# the built-in scalars' own Python values, which serialise to themselves
_AS_IS = {
    GraphQLString.name: "type({v}) is str",
    GraphQLID.name: "type({v}) is str",
    GraphQLFloat.name: "type({v}) is float and isfinite({v})",
    GraphQLInt.name: "type({v}) is int and -2147483648 <= {v} <= 2147483647",
    GraphQLBoolean.name: "type({v}) is bool",
}
_BUILT_IN = {
    GraphQLString.name: GraphQLString,
    GraphQLID.name: GraphQLID,
    GraphQLFloat.name: GraphQLFloat,
    GraphQLInt.name: GraphQLInt,
    GraphQLBoolean.name: GraphQLBoolean,
}


def _completer(parent_type: GraphQLObjectType, plan: Plan) -> Completer:
    """A function that builds the result of one object for ``plan``: each
    field read, a built-in scalar's own value taken as it is, anything else
    through the leaf's ``serialize``; whatever is unusual raises _Fallback.
    Generated once per type and selection and kept for the process."""
    cache_key = _selection_key(parent_type, plan)
    found = _COMPILED.get(cache_key)
    if found is not None:
        return found
    env: dict[str, Any] = {"_Fallback": _Fallback, "isfinite": isfinite}
    lines = ["def complete(source, ex):", "    try:"]
    for i, leaf in enumerate(plan):
        v = f"v{i}"
        if isinstance(leaf, Child):
            env[f"child{i}"] = leaf
            env[f"sub{i}"] = _child_completer(leaf)
            if leaf.attr is not None:
                lines.append(f"        {v} = source.{leaf.attr}")
            else:
                env[f"read{i}"] = leaf.read
                info = f"ex.shared_info(child{i})" if leaf.with_info else "None"
                lines.append(f"        {v} = read{i}(source, {info})")
            if leaf.non_null:
                lines.append(f"        if {v} is None:")
                lines.append("            raise _Fallback")
                lines.append(f"        {v} = sub{i}({v}, ex)")
            else:
                lines.append(f"        if {v} is not None:")
                lines.append(f"            {v} = sub{i}({v}, ex)")
            continue
        if leaf.scalar is None:  # __typename
            env[f"name{i}"] = parent_type.name
            lines.append(f"        {v} = name{i}")
            continue
        if leaf.attr is not None:
            lines.append(f"        {v} = source.{leaf.attr}")
        else:
            env[f"read{i}"] = leaf.read
            lines.append(f"        {v} = read{i}(source, None)")
        env[f"slow{i}"] = (
            _slow_list(leaf.scalar, leaf.non_null, leaf.items_non_null)
            if leaf.is_list
            else _slow(leaf.scalar, leaf.non_null)
        )
        as_is = _AS_IS.get(leaf.scalar.name)
        if as_is is not None and _BUILT_IN[leaf.scalar.name] is leaf.scalar:
            if leaf.is_list:
                # a list whose items are all the scalar's own values
                each = as_is.format(v="x")
                as_is = f"type({{v}}) is list and all({each} for x in {{v}})"
            lines.append(f"        if not ({as_is.format(v=v)}):")
            lines.append(f"            {v} = slow{i}({v})")
        elif not leaf.is_list and leaf.scalar.serialize is _serialize_datetime:
            # our DateTime: a UTC value as the database returns it is its
            # isoformat (the serializer's own first case)
            env["datetime"], env["UTC"] = datetime, UTC
            lines.append(f"        if type({v}) is datetime and {v}.tzinfo is UTC:")
            lines.append(f"            {v} = {v}.isoformat()")
            lines.append("        else:")
            lines.append(f"            {v} = slow{i}({v})")
        else:
            lines.append(f"        {v} = slow{i}({v})")
    lines += [
        "    except _Fallback:",
        "        raise",
        "    except Exception:",
        "        raise _Fallback from None",
    ]
    complete = _define(lines, plan, env, f"<leaf record {parent_type.name}>")
    _remember(_COMPILED, cache_key, complete)
    return complete


def _selection_key(parent_type: GraphQLObjectType, plan: Plan) -> tuple[Any, ...]:
    # what a plan of leaves does follows from the type's fields and the
    # selection (its functions are made afresh for every execution); a child
    # is its own (it carries the document's nodes its resolve info is made
    # of; the generated function keeps it, so its id is not reused)
    return (
        parent_type,
        tuple(
            (leaf.key, leaf.name, id(leaf) if isinstance(leaf, Child) else None)
            for leaf in plan
        ),
    )


def _child_completer(child: Child) -> Callable[[Any, Any], Any]:
    """Completes a child's non-null value: an object, or a list of them, each
    checked with the type's ``is_type_of`` (as graphql-core does) and built by
    the child plan's completer. An awaitable (a resolver's answer when nothing
    was loaded yet) or anything unusual raises _Fallback."""
    complete = _completer(child.object_type, child.plan)
    is_type_of = child.object_type.is_type_of
    with_info = child.with_info
    items_non_null = child.items_non_null

    def one(value: Any, ex: LeafRecordExecutionContext) -> Any:
        if ex.is_awaitable(value):
            if with_info and hasattr(value, "close"):
                # our resolver's coroutine: graphql-core calls it afresh
                value.close()
            raise _Fallback
        if (
            is_type_of is not None
            and is_type_of(value, ex.shared_info(child)) is not True
        ):
            raise _Fallback
        return complete(value, ex)

    if not child.is_list:
        return one

    def many(value: Any, ex: LeafRecordExecutionContext) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise _Fallback
        is_awaitable = ex.is_awaitable
        info: Any = ex.shared_info(child) if is_type_of is not None else None
        out: list[Any] = []
        append = out.append
        for item in value:
            if item is None:
                if items_non_null:
                    raise _Fallback
                append(None)
            elif is_awaitable(item):
                if with_info:
                    for made in value:
                        if is_awaitable(made) and hasattr(made, "close"):
                            made.close()
                raise _Fallback
            elif is_type_of is not None and is_type_of(item, info) is not True:
                raise _Fallback
            else:
                append(complete(item, ex))
        return out

    return many


def _define(
    lines: list[str], plan: Plan, env: dict[str, Any], filename: str
) -> Completer:
    """``lines`` (reading each leaf into v0, v1, ...) completed with the
    returned object, compiled and defined in ``env``."""
    returned = ", ".join(f"{leaf.key!r}: v{i}" for i, leaf in enumerate(plan))
    lines.append(f"    return {{{returned}}}")
    exec(compile("\n".join(lines), filename, "exec"), env)
    complete: Completer = env["complete"]
    return complete


# generated functions kept per type and selection; selections (aliases) come
# from clients, so the caches are bounded: emptied when full
_COMPILED_MAX = 2048


def _remember(
    cache: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any
) -> None:
    if len(cache) >= _COMPILED_MAX:
        cache.clear()
    cache[key] = value


_RAW_COMPILED: dict[tuple[Any, ...], Completer | None] = {}


def _raw_completer(parent_type: GraphQLObjectType, plan: Plan) -> Completer | None:
    """Like ``_completer``, for a stored record (a dict keyed by the type's
    Python field names, see ``RawRecords``), and strict: a value is taken only
    when it is exactly what the object would hold and serialise to (a str, a
    finite float, an int in range, a bool; None where the field is nullable);
    anything else raises _Fallback and the records are made into objects. None
    when a field is not a plain attribute of a built-in scalar."""
    cache_key = _selection_key(parent_type, plan)
    if cache_key in _RAW_COMPILED:
        return _RAW_COMPILED[cache_key]
    env: dict[str, Any] = {"_Fallback": _Fallback, "isfinite": isfinite}
    lines = ["def complete(source, ex=None):"]
    complete: Completer | None = None
    for i, leaf in enumerate(plan):
        v = f"v{i}"
        if isinstance(leaf, Child):
            break
        if leaf.scalar is None:  # __typename
            env[f"name{i}"] = parent_type.name
            lines.append(f"    {v} = name{i}")
            continue
        as_is = _AS_IS.get(leaf.scalar.name)
        if (
            leaf.attr is None
            or leaf.is_list
            or as_is is None
            or _BUILT_IN[leaf.scalar.name] is not leaf.scalar
        ):
            break
        lines.append(f"    {v} = source.get({leaf.attr!r})")
        check = as_is.format(v=v)
        if not leaf.non_null:
            check = f"{v} is None or {check}"
        lines.append(f"    if not ({check}):")
        lines.append("        raise _Fallback")
    else:
        complete = _define(lines, plan, env, f"<stored record {parent_type.name}>")
    _remember(_RAW_COMPILED, cache_key, complete)
    return complete


T = TypeVar("T")


class RawRecords(Sequence[T]):
    """Stored records (dicts keyed by a type's Python field names) that read as
    a list of objects: whoever iterates gets ``make(record)`` for each. The
    leaf-record path reads the records themselves when every selected value is
    already exactly what the object would hold, so that a transcript's ~400
    segments are not made into objects only to be read back.

    ``make`` must keep a value that is already of its field's type as it is
    (then both paths answer the same)."""

    def __init__(
        self, records: list[dict[str, Any]], make: Callable[[dict[str, Any]], T]
    ):
        self.records = records
        self.make = make

    def __len__(self) -> int:
        return len(self.records)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self.make(r) for r in self.records[index]]
        return self.make(self.records[index])

    def __iter__(self) -> Iterator[T]:
        return map(self.make, self.records)


def _slow_list(
    scalar: GraphQLScalarType | GraphQLEnumType, non_null: bool, items_non_null: bool
) -> Callable[[Any], Any]:
    item = _slow(scalar, items_non_null)

    def slow(value: Any) -> Any:
        if value is None:
            if non_null:
                raise _Fallback
            return None
        if not isinstance(value, list | tuple):
            raise _Fallback
        return [item(x) for x in value]

    return slow


# values that are plainly not awaitable (isawaitable asks an ABC)
_NEVER_AWAITABLE = frozenset({str, int, float, bool, datetime, date, UUID, Decimal})


def _slow(
    scalar: GraphQLScalarType | GraphQLEnumType, non_null: bool
) -> Callable[[Any], Any]:
    serialize = scalar.serialize

    def slow(value: Any) -> Any:
        if value is None:
            if non_null:
                raise _Fallback
            return None
        if (
            type(value) not in _NEVER_AWAITABLE
            and not isinstance(value, Enum)
            and isawaitable(value)
        ):
            # left as it is: graphql-core's path reads the same attribute
            # and awaits it
            raise _Fallback
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise _Fallback
        return serialized

    return slow


def _complete_list(
    plan: Plan,
    object_type: GraphQLObjectType,
    items: Sequence[Any],
    non_null: bool,
    info: GraphQLResolveInfo[Any],
    ex: LeafRecordExecutionContext,
) -> list[Any]:
    is_type_of = object_type.is_type_of
    is_awaitable = ex.is_awaitable
    complete = _completer(object_type, plan)
    out: list[Any] = []
    append = out.append
    for item in items:
        if item is None or is_awaitable(item):
            if non_null or item is not None:
                raise _Fallback
            append(None)
            continue
        if is_type_of is not None and is_type_of(item, info) is not True:
            raise _Fallback
        append(complete(item, ex))
    return out
