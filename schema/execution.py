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
``serialize``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from math import isfinite
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
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
    GroupedFieldSet,
)
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# (response key, basic resolve function, leaf serialize, non-null) per field;
# None for __typename
Plan = list[tuple[str, Callable[..., Any] | None, Callable[[Any], Any], bool]]

_NO_PLAN: Plan = []


class _Fallback(Exception):
    pass


class LeafRecordExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # keyed by the identity of graphql-core's memoised grouped field sets,
        # which this execution keeps alive
        self._leaf_plans: dict[int, tuple[GroupedFieldSet, Plan]] = {}

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
                return _complete(plan, parent_type, source_value, self.is_awaitable)
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
            and isinstance(items, list | tuple)
            and not self.get_stream_usage(field_details_list, path)
        ):
            grouped, new_defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            plan = None if new_defer_usages else self._plan(object_type, grouped)
            if plan:
                try:
                    return _complete_list(
                        plan, object_type, items, non_null, info, self.is_awaitable
                    )
                except _Fallback:
                    pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Plan | None:
        cached = self._leaf_plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        plan = _make_plan(parent_type, grouped_field_set, self)
        self._leaf_plans[id(grouped_field_set)] = (grouped_field_set, plan or _NO_PLAN)
        return plan


def _make_plan(
    parent_type: GraphQLObjectType,
    grouped_field_set: GroupedFieldSet,
    context: LeafRecordExecutionContext,
) -> Plan | None:
    middleware = context.middleware_manager
    plan: Plan = []
    for key, details in grouped_field_set.items():
        node = details[0].node
        if any(d.defer_usage is not None for d in details):
            return None
        name = node.name.value
        if name == "__typename":
            plan.append((key, None, str, True))
            continue
        field = parent_type.fields.get(name)
        if field is None or field.args or node.arguments or node.selection_set:
            return None
        resolve = field.resolve
        # strawberry marks its resolver of a field without a resolver function
        if resolve is None or not getattr(resolve, "_is_default", False):
            return None
        # a middleware wrapping field resolvers must see every field
        wrapped = middleware.get_field_resolver(resolve) if middleware else resolve
        if wrapped is not resolve:
            return None
        leaf = field.type
        non_null = isinstance(leaf, GraphQLNonNull)
        if non_null:
            leaf = leaf.of_type
        if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
            return None
        plan.append((key, _reader(field, resolve), _serializer(leaf), non_null))
    return plan


def _serializer(leaf: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    serialize = leaf.serialize
    if leaf is GraphQLString or leaf is GraphQLID:

        def text(value: Any) -> Any:
            return value if type(value) is str else serialize(value)

        return text
    if leaf is GraphQLFloat:

        def number(value: Any) -> Any:
            if type(value) is float and isfinite(value):
                return value
            return serialize(value)

        return number
    if leaf is GraphQLInt:

        def integer(value: Any) -> Any:
            if type(value) is int and -(2**31) <= value < 2**31:
                return value
            return serialize(value)

        return integer
    if leaf is GraphQLBoolean:

        def boolean(value: Any) -> Any:
            return value if type(value) is bool else serialize(value)

        return boolean
    return serialize


def _reader(field: Any, resolve: Callable[..., Any]) -> Callable[..., Any]:
    """What strawberry's basic resolver does, without its two calls in between:
    the configured default resolver (getattr) on the field's Python name."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        isinstance(definition, StrawberryField)
        and definition.base_resolver is None
        and not definition.extensions
        and definition.python_name
    ):
        default, name = definition.default_resolver, definition.python_name

        def read(source: Any, _info: Any) -> Any:
            return default(source, name)

        return read
    return resolve


def _complete(
    plan: Plan,
    parent_type: GraphQLObjectType,
    source: Any,
    is_awaitable: Callable[[Any], bool],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, resolve, serialize, non_null in plan:
        if resolve is None:
            out[key] = parent_type.name
            continue
        value = resolve(source, None)
        if value is None:
            if non_null:
                raise _Fallback
            out[key] = None
            continue
        if is_awaitable(value):
            # left as it is: graphql-core's path reads the same attribute and
            # awaits it
            raise _Fallback
        try:
            serialized = serialize(value)
        except Exception:
            raise _Fallback from None
        if serialized is None or serialized is Undefined:
            raise _Fallback
        out[key] = serialized
    return out


def _complete_list(
    plan: Plan,
    object_type: GraphQLObjectType,
    items: Sequence[Any],
    non_null: bool,
    info: GraphQLResolveInfo[Any],
    is_awaitable: Callable[[Any], bool],
) -> list[Any]:
    is_type_of = object_type.is_type_of
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
        append(_complete(plan, object_type, item, is_awaitable))
    return out
