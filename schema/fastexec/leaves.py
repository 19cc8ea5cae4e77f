"""One leaf of a plan read and serialised: a built-in scalar's own value
(a str, a finite float, an int in range, a bool) taken as it is, our
DateTime's UTC values written as the serializer's own first case does,
anything else through the leaf type's ``serialize``; whatever is unusual
raises Fallback (the object goes to graphql-core's path)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from inspect import isawaitable
from math import isfinite
from operator import attrgetter
from typing import Any
from uuid import UUID

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)

from schema.fastexec.plans import Fallback, Leaf
from schema.scalars import serialize_datetime

# step(source, execution context) -> the field's serialised value
Step = Callable[[Any, Any], Any]

BUILT_IN = {
    GraphQLString.name: GraphQLString,
    GraphQLID.name: GraphQLID,
    GraphQLFloat.name: GraphQLFloat,
    GraphQLInt.name: GraphQLInt,
    GraphQLBoolean.name: GraphQLBoolean,
}
_INT_MIN, _INT_MAX = -2147483648, 2147483647


def _is_str(v: Any) -> bool:
    return type(v) is str


def _is_float(v: Any) -> bool:
    return type(v) is float and isfinite(v)


def _is_int(v: Any) -> bool:
    return type(v) is int and _INT_MIN <= v <= _INT_MAX


def _is_bool(v: Any) -> bool:
    return type(v) is bool


CHECKS: dict[str, Callable[[Any], bool]] = {
    GraphQLString.name: _is_str,
    GraphQLID.name: _is_str,
    GraphQLFloat.name: _is_float,
    GraphQLInt.name: _is_int,
    GraphQLBoolean.name: _is_bool,
}


def as_is_check(leaf: Leaf) -> Callable[[Any], bool] | None:
    """The check that a value of ``leaf`` is its built-in scalar's own value,
    or None when the leaf's type is not a built-in scalar."""
    if leaf.scalar is None or BUILT_IN.get(leaf.scalar.name) is not leaf.scalar:
        return None
    return CHECKS[leaf.scalar.name]


def _getter(leaf: Leaf) -> Callable[[Any], Any]:
    if leaf.attr is not None:
        return attrgetter(leaf.attr)
    read = leaf.read
    assert read is not None

    def get(source: Any) -> Any:
        return read(source, None)

    return get


def leaf_step(parent_type: GraphQLObjectType, leaf: Leaf) -> Step:
    """The step that reads and serialises ``leaf`` of an object."""
    if leaf.scalar is None:  # __typename
        name = parent_type.name

        def typename(source: Any, ex: Any) -> Any:
            return name

        return typename
    get = _getter(leaf)
    slow = (
        _slow_list(leaf.scalar, leaf.non_null, leaf.items_non_null)
        if leaf.is_list
        else _slow(leaf.scalar, leaf.non_null)
    )
    check = as_is_check(leaf)
    if check is not None and leaf.is_list:
        is_item = check

        def list_step(source: Any, ex: Any) -> Any:
            v = get(source)
            if type(v) is list and all(map(is_item, v)):
                return v
            return slow(v)

        return list_step
    if check is _is_str:

        def str_step(source: Any, ex: Any) -> Any:
            v = get(source)
            return v if type(v) is str else slow(v)

        return str_step
    if check is not None:
        is_value = check

        def checked_step(source: Any, ex: Any) -> Any:
            v = get(source)
            return v if is_value(v) else slow(v)

        return checked_step
    if not leaf.is_list and leaf.scalar.serialize is serialize_datetime:

        def datetime_step(source: Any, ex: Any) -> Any:
            v = get(source)
            if type(v) is datetime and v.tzinfo is UTC:
                return v.isoformat()
            return slow(v)

        return datetime_step

    def serialized_step(source: Any, ex: Any) -> Any:
        return slow(get(source))

    return serialized_step


def _slow_list(
    scalar: GraphQLScalarType | GraphQLEnumType, non_null: bool, items_non_null: bool
) -> Callable[[Any], Any]:
    item = _slow(scalar, items_non_null)

    def slow(value: Any) -> Any:
        if value is None:
            if non_null:
                raise Fallback
            return None
        if not isinstance(value, list | tuple):
            raise Fallback
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
                raise Fallback
            return None
        if (
            type(value) not in _NEVER_AWAITABLE
            and not isinstance(value, Enum)
            and isawaitable(value)
        ):
            # left as it is: graphql-core's path reads the same attribute
            # and awaits it
            raise Fallback
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise Fallback
        return serialized

    return slow
