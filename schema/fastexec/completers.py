"""The functions the one-step completion generates (context.py):
one per type and selection, kept in bounded caches (selections come from
clients)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from inspect import isawaitable
from math import isfinite
from typing import TYPE_CHECKING, Any
from uuid import UUID

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)

from schema.fastexec.plans import Child, Completer, Fallback, Plan
from schema.scalars import serialize_datetime

if TYPE_CHECKING:
    from schema.fastexec.context import FastExecutionContext


# generated functions kept per type and selection
_COMPILED: dict[tuple[Any, ...], Completer] = {}


def compiled_selections() -> list[tuple[Any, ...]]:
    """The (type, selection) key of every completer kept, for tests."""
    return list(_COMPILED)


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


def completer(parent_type: GraphQLObjectType, plan: Plan) -> Completer:
    """A function that builds the result of one object for ``plan``: each
    field read, a built-in scalar's own value taken as it is, anything else
    through the leaf's ``serialize``; whatever is unusual raises Fallback.
    Generated once per type and selection and kept for the process."""
    cache_key = _selection_key(parent_type, plan)
    found = _COMPILED.get(cache_key)
    if found is not None:
        return found
    env: dict[str, Any] = {"Fallback": Fallback, "isfinite": isfinite}
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
                lines.append("            raise Fallback")
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
        elif not leaf.is_list and leaf.scalar.serialize is serialize_datetime:
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
        "    except Fallback:",
        "        raise",
        "    except Exception:",
        "        raise Fallback from None",
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
    was loaded yet) or anything unusual raises Fallback."""
    complete = completer(child.object_type, child.plan)
    is_type_of = child.object_type.is_type_of
    with_info = child.with_info
    items_non_null = child.items_non_null

    def one(value: Any, ex: FastExecutionContext) -> Any:
        if ex.is_awaitable(value):
            if with_info and hasattr(value, "close"):
                # our resolver's coroutine: graphql-core calls it afresh
                value.close()
            raise Fallback
        if (
            is_type_of is not None
            and is_type_of(value, ex.shared_info(child)) is not True
        ):
            raise Fallback
        return complete(value, ex)

    if not child.is_list:
        return one

    def many(value: Any, ex: FastExecutionContext) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise Fallback
        is_awaitable = ex.is_awaitable
        info: Any = ex.shared_info(child) if is_type_of is not None else None
        out: list[Any] = []
        append = out.append
        for item in value:
            if item is None:
                if items_non_null:
                    raise Fallback
                append(None)
            elif is_awaitable(item):
                if with_info:
                    for made in value:
                        if is_awaitable(made) and hasattr(made, "close"):
                            made.close()
                raise Fallback
            elif is_type_of is not None and is_type_of(item, info) is not True:
                raise Fallback
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
COMPILED_MAX = 2048


def _remember(
    cache: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any
) -> None:
    if len(cache) >= COMPILED_MAX:
        cache.clear()
    cache[key] = value


_RAW_COMPILED: dict[tuple[Any, ...], Completer | None] = {}


def raw_completer(parent_type: GraphQLObjectType, plan: Plan) -> Completer | None:
    """Like ``completer``, for a stored record (a dict keyed by the type's
    Python field names, see ``RawRecords``), and strict: a value is taken only
    when it is exactly what the object would hold and serialise to (a str, a
    finite float, an int in range, a bool; None where the field is nullable);
    anything else raises Fallback and the records are made into objects. None
    when a field is not a plain attribute of a built-in scalar."""
    cache_key = _selection_key(parent_type, plan)
    if cache_key in _RAW_COMPILED:
        return _RAW_COMPILED[cache_key]
    env: dict[str, Any] = {"Fallback": Fallback, "isfinite": isfinite}
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
        lines.append("        raise Fallback")
    else:
        complete = _define(lines, plan, env, f"<stored record {parent_type.name}>")
    _remember(_RAW_COMPILED, cache_key, complete)
    return complete


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


def complete_list(
    plan: Plan,
    object_type: GraphQLObjectType,
    items: Sequence[Any],
    non_null: bool,
    info: GraphQLResolveInfo[Any],
    ex: FastExecutionContext,
) -> list[Any]:
    is_type_of = object_type.is_type_of
    is_awaitable = ex.is_awaitable
    complete = completer(object_type, plan)
    out: list[Any] = []
    append = out.append
    for item in items:
        if item is None or is_awaitable(item):
            if non_null or item is not None:
                raise Fallback
            append(None)
            continue
        if is_type_of is not None and is_type_of(item, info) is not True:
            raise Fallback
        append(complete(item, ex))
    return out
