"""The completers of the one-step path (context.py): for a plan, a function
that builds one object's result, each field in the selection's order by its
step (leaves.py; a child's step completes the child with its own plan). Made
once per type and selection and kept in bounded caches (selections come from
clients).

An interpreter of the plans, not generated code: the completers used to be
Python source generated per plan and ``exec``-ed; measured against these
closures on the benchmark they earned nothing (docs/performance.md, "Code
generation"), so they went."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from graphql import GraphQLObjectType, GraphQLResolveInfo

from schema.fastexec.leaves import Step, as_is_check, leaf_step
from schema.fastexec.plans import Child, Completer, Fallback, Plan

if TYPE_CHECKING:
    from schema.fastexec.context import FastExecutionContext

# completers kept per type and selection; selections (aliases) come from
# clients, so the caches are bounded: emptied when full
CACHE_MAX = 2048
_COMPLETERS: dict[tuple[Any, ...], Completer] = {}
_RAW_COMPLETERS: dict[tuple[Any, ...], Completer | None] = {}


def cached_selections() -> list[tuple[Any, ...]]:
    """The (type, selection) key of every completer kept, for tests."""
    return list(_COMPLETERS)


def completer(parent_type: GraphQLObjectType, plan: Plan) -> Completer:
    """The function that builds the result of one object for ``plan``; any
    exception in a step becomes Fallback (graphql-core completes the object
    and reports what went wrong)."""
    cache_key = _selection_key(parent_type, plan)
    found = _COMPLETERS.get(cache_key)
    if found is not None:
        return found
    steps = tuple(
        (leaf.key, _child_step(leaf))
        if isinstance(leaf, Child)
        else (leaf.key, leaf_step(parent_type, leaf))
        for leaf in plan
    )

    def complete(source: Any, ex: Any) -> dict[str, Any]:
        try:
            return {key: step(source, ex) for key, step in steps}
        except Fallback:
            raise
        except Exception:
            raise Fallback from None

    _remember(_COMPLETERS, cache_key, complete)
    return complete


def raw_completer(parent_type: GraphQLObjectType, plan: Plan) -> Completer | None:
    """Like ``completer``, for a stored record (a dict keyed by the type's
    Python field names, see ``RawRecords``), and strict: a value is taken only
    when it is exactly what the object would hold and serialise to (a str, a
    finite float, an int in range, a bool; None where the field is nullable);
    anything else raises Fallback and the records are made into objects. None
    when a field is not a plain attribute of a built-in scalar."""
    cache_key = _selection_key(parent_type, plan)
    if cache_key in _RAW_COMPLETERS:
        return _RAW_COMPLETERS[cache_key]
    fields = _raw_fields(parent_type, plan)
    complete: Completer | None = None
    if fields is not None:

        def complete_record(source: Any, ex: Any = None) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, attr, check, non_null in fields:
                if check is None:  # __typename: ``attr`` is the type's name
                    out[key] = attr
                    continue
                v = source.get(attr)
                if not (check(v) or (v is None and not non_null)):
                    raise Fallback
                out[key] = v
            return out

        complete = complete_record
    _remember(_RAW_COMPLETERS, cache_key, complete)
    return complete


RawField = tuple[str, str, Callable[[Any], bool] | None, bool]


def _raw_fields(
    parent_type: GraphQLObjectType, plan: Plan
) -> tuple[RawField, ...] | None:
    """(key, record key or type name, check, non-null) per field, or None when
    a field is not ``__typename`` or a plain attribute of a built-in scalar."""
    fields: list[RawField] = []
    for leaf in plan:
        if isinstance(leaf, Child):
            return None
        if leaf.scalar is None:  # __typename
            fields.append((leaf.key, parent_type.name, None, True))
            continue
        check = as_is_check(leaf)
        if leaf.attr is None or leaf.is_list or check is None:
            return None
        fields.append((leaf.key, leaf.attr, check, leaf.non_null))
    return tuple(fields)


def _selection_key(parent_type: GraphQLObjectType, plan: Plan) -> tuple[Any, ...]:
    # what a plan of leaves does follows from the type's fields and the
    # selection (its functions are made afresh for every execution); a child
    # is its own (it carries the document's nodes its resolve info is made
    # of; its completer keeps it, so its id is not reused)
    return (
        parent_type,
        tuple(
            (leaf.key, leaf.name, id(leaf) if isinstance(leaf, Child) else None)
            for leaf in plan
        ),
    )


def _child_step(child: Child) -> Step:
    """Reads a child (an attribute, a function of the parent, or a repeatable
    resolver with the shared info) and completes it with its plan."""
    sub = _child_completer(child)
    non_null = child.non_null
    if child.attr is not None:
        get = attrgetter(child.attr)

        def read_child(source: Any, ex: Any) -> Any:
            return get(source)

    elif child.with_info:
        read = child.read
        assert read is not None

        def read_child(source: Any, ex: Any) -> Any:
            return read(source, ex.shared_info(child))

    else:
        read_parent = child.read
        assert read_parent is not None

        def read_child(source: Any, ex: Any) -> Any:
            return read_parent(source, None)

    def child_step(source: Any, ex: Any) -> Any:
        v = read_child(source, ex)
        if v is None:
            if non_null:
                raise Fallback
            return None
        return sub(v, ex)

    return child_step


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


def _remember(
    cache: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any
) -> None:
    if len(cache) >= CACHE_MAX:
        cache.clear()
    cache[key] = value


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
