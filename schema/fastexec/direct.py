"""Hot fields resolved without strawberry's per-call wrapper (the first part
of the fast path; see the package's docstring for the contract).

Strawberry wraps every field that has a resolver: per call it builds an Info,
converts the (absent) arguments, runs the field-extension chain and, for an
async resolver, adds a coroutine of its own around ours. On the nested list of
the benchmark (1,050 objects) that wrapper cost more than the resolvers.

For every field whose resolver takes ``root`` (and optionally ``info``, then
its arguments), has no permission classes, no field extensions and no
exception handlers, the graphql-core field gets a direct resolve function
instead: it calls our function with the same values strawberry would pass
(arguments converted by strawberry's own ``convert_arguments``, remembered per
field for plain values: a page's 50 patients ask for the same
``sessions(first: 10)``). Anything else keeps strawberry's path.
``tests/schema/test_fast_resolvers.py`` runs queries over every rewritten field
both ways and compares the answers.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary, WeakSet

from graphql import GraphQLObjectType
from strawberry.types import Info
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from schema.fastexec.internals import core_schema, definition, make_info

Resolve = Callable[..., Any]


class Kind(Enum):
    """What the one-step completion (context.py) may do with a direct resolver."""

    # a synchronous function of the parent alone: called with no info, maybe twice
    ROOT_ONLY = "root only"
    # a synchronous @repeatable resolver of (root, info): one shared info, maybe twice
    REPEATABLE = "repeatable"


# the direct resolve functions install() made, and what they may be used for
_KINDS: WeakKeyDictionary[Resolve, Kind] = WeakKeyDictionary()
# the functions marked @repeatable
_REPEATABLE: WeakSet[Callable[..., Any]] = WeakSet()


def kind_of(resolve: Resolve) -> Kind | None:
    """The kind of a direct resolve function made by install(), else None."""
    try:
        return _KINDS.get(resolve)
    except TypeError:  # not weakly referenceable: not ours
        return None


class ContractError(TypeError):
    """A resolver marked @repeatable asks for more than the contract allows."""


def _direct(field: StrawberryField, convert: Convert) -> Resolve | None:
    resolver = field.base_resolver
    if (
        resolver is None
        or field.permission_classes
        or field.extensions
        or getattr(field, "directives", None)
    ):
        return None
    params = list(resolver.signature.parameters.values())
    parent = resolver.parent_parameter or resolver.root_parameter
    if not params or parent is None or params[0] is not parent:
        return None
    fn = cast("Callable[..., Any]", resolver.wrapped_func)
    if field.arguments:
        return _with_arguments(field, params, fn, convert)
    if len(params) == 1:

        def resolve(source: Any, _info: Any) -> Any:
            return fn(source)

        # a synchronous function of the parent alone (no context, so no
        # session and no audit): context.py may call it in its one-step
        # completion of leaf-only objects, and again should it hand the
        # object back to graphql-core
        if not resolver.is_async:
            _KINDS[resolve] = Kind.ROOT_ONLY
        return resolve
    if len(params) == 2 and params[1] is resolver.info_parameter:

        def resolve_with_info(source: Any, info: Any) -> Any:
            return fn(source, make_info(info, field))

        # marked by @repeatable: context.py may call it with one resolve info
        # shared by every parent, and again should it hand the object back
        # to graphql-core
        if not resolver.is_async and fn in _REPEATABLE:
            _KINDS[resolve_with_info] = Kind.REPEATABLE
        return resolve_with_info
    return None


# strawberry's conversion of graphql-core's argument values
Convert = Callable[[dict[str, Any], StrawberryField, Info], dict[str, Any]]

# argument values converted once per field and values: a page's 50 patients
# ask for the same ``sessions(first: 10)``; only exact simple values are keys
_SIMPLE = frozenset({int, str, bool, type(None)})
_CONVERTED_MAX = 256


def _with_arguments(
    field: StrawberryField, params: list[Any], fn: Callable[..., Any], convert: Convert
) -> Resolve | None:
    """``fn(root, info, **arguments)``, the arguments converted by strawberry
    (Python names, enums, input types), and remembered for values that are
    plain ints, strings, booleans or nulls (converted afresh otherwise)."""
    resolver = field.base_resolver
    assert resolver is not None
    names = {a.python_name for a in field.arguments}
    if (
        len(params) < 2
        or params[1] is not resolver.info_parameter
        or {p.name for p in params[2:]} != names
    ):
        return None
    converted: dict[tuple[Any, ...], dict[str, Any]] = {}

    def resolve_with_arguments(source: Any, info: Any, **kwargs: Any) -> Any:
        strawberry_info = make_info(info, field)
        key: tuple[Any, ...] | None = tuple(kwargs.items())
        if not all(type(v) in _SIMPLE for v in kwargs.values()):
            key = None
        found = converted.get(key) if key is not None else None
        if found is None:
            found = convert(kwargs, field, strawberry_info)
            if key is not None:
                if len(converted) >= _CONVERTED_MAX:
                    converted.clear()
                converted[key] = found
        return fn(source, strawberry_info, **found)

    return resolve_with_arguments


F = TypeVar("F", bound=Callable[..., Any])


def repeatable(fn: F) -> F:
    """Marks a synchronous resolver of ``(root, info)`` that may be called more
    than once for the same parent with the same result and no further effect
    (it records its audit once per request), and that reads nothing of the
    info but its context, its field nodes and the document (its path is the
    field's, not the object's). context.py then completes the field in its
    one-step path for every parent of a list. check_contract() refuses a
    marked resolver whose signature asks for more (arguments, an async
    body, permission classes, field extensions)."""
    _REPEATABLE.add(fn)
    return fn


def check_contract(schema: Any) -> None:
    """Refuse, when the schema is built, a resolver marked @repeatable whose
    signature asks for more than the contract allows: it must be synchronous
    and take exactly ``(root, info)``, with no arguments, permission classes,
    field extensions or directives, on an object type that is not a root.
    Raises ContractError naming every such field."""
    core = core_schema(schema)
    roots = {core.query_type, core.mutation_type, core.subscription_type}
    wrong: list[str] = []
    for gtype in core.type_map.values():
        if not isinstance(gtype, GraphQLObjectType):
            continue
        for name, gfield in gtype.fields.items():
            field = definition(gfield)
            resolver = field.base_resolver if field is not None else None
            if field is None or resolver is None:
                continue
            if resolver.wrapped_func not in _REPEATABLE:
                continue
            params = list(resolver.signature.parameters.values())
            parent = resolver.parent_parameter or resolver.root_parameter
            problems = [
                text
                for text, bad in (
                    ("is async", resolver.is_async),
                    ("is a root field", gtype in roots),
                    ("takes arguments", bool(field.arguments)),
                    (
                        "must take exactly (root, info)",
                        len(params) != 2
                        or params[0] is not parent
                        or params[1] is not resolver.info_parameter,
                    ),
                    ("has permission classes", bool(field.permission_classes)),
                    ("has field extensions", bool(field.extensions)),
                    ("has directives", bool(getattr(field, "directives", None))),
                )
                if bad
            ]
            if problems:
                wrong.append(f"{gtype.name}.{name} " + ", ".join(problems))
    if wrong:
        raise ContractError(
            "@repeatable resolvers may read only their parent and the "
            "info's context, field nodes and document: " + "; ".join(wrong)
        )


def install_resolvers(schema: Any) -> list[str]:
    """Give the eligible fields of ``schema`` (a strawberry Schema) direct
    resolve functions; returns their ``Type.field`` names. Root types keep
    strawberry's path (their resolvers take no parent, and subscriptions are
    executed differently)."""
    core = core_schema(schema)
    roots = {core.query_type, core.mutation_type, core.subscription_type}

    def convert(
        kwargs: dict[str, Any], field: StrawberryField, info: Info
    ) -> dict[str, Any]:
        return convert_arguments(
            kwargs,
            field.arguments,
            scalar_registry=schema.schema_converter.scalar_registry,
            config=schema.config,
            info=info,
        )

    done: list[str] = []
    for gtype in core.type_map.values():
        if (
            not isinstance(gtype, GraphQLObjectType)
            or gtype.name.startswith("__")
            or gtype in roots
        ):
            continue
        for name, gfield in gtype.fields.items():
            field = definition(gfield)
            if field is None:
                continue
            direct = _direct(field, convert)
            if direct is not None:
                gfield.resolve = direct
                done.append(f"{gtype.name}.{name}")
    return sorted(done)
