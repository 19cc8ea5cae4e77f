"""schema/fastexec completes leaf-only objects, and lists of them, in one
step. On awkward values (nulls, ints in Float fields, non-finite floats,
out-of-range ints, awaitables, values that do not serialise) the answer must
be exactly graphql-core's own, errors and paths included."""

from __future__ import annotations

import asyncio
import json
import math
from enum import Enum
from typing import Any, cast

import pytest
import strawberry

from schema.fastexec import RawRecords, install
from schema.fastexec.completers import cached_selections
from schema.fastexec.internals import core_schema
from schema.types.transcript import TranscriptSegmentType, segment_from_record


@strawberry.enum
class Kind(Enum):
    A = "A"
    B = "B"


@strawberry.type
class Leaf:
    f: float
    i: int
    s: str
    b: bool
    k: Kind
    n: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)
    maybe: list[int | None] | None = None

    # a resolver of the parent alone: schema/fastexec calls it directly, and
    # the leaf-record path with it
    @strawberry.field
    @staticmethod
    def twice(root: Leaf) -> float:
        return root.f * 2 if isinstance(root.f, int | float) else root.f


@strawberry.type
class Outer:
    """Leaves beside an object, a list and an async field: the leaves in one
    step, the rest through graphql-core, in the selection's order."""

    a: str
    inner: Leaf | None
    b: int
    inners: list[Leaf]

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return self.a


def leaf(**changes: Any) -> Leaf:
    value = Leaf(f=1.5, i=2, s="x", b=True, k=Kind.A, tags=["a", "b"])
    for name, changed in changes.items():
        object.__setattr__(value, name, changed)
    return value


async def _later() -> str:
    await asyncio.sleep(0)
    return "late"


CASES: dict[str, list[Any]] = {
    "plain": [leaf(), leaf(n="y")],
    "int in Float": [leaf(f=3)],
    "bool in Int": [leaf(i=True)],
    "str in Int": [leaf(i="7")],
    "float in Int": [leaf(i=2.0)],
    "NaN": [leaf(), leaf(f=math.nan)],
    "infinity": [leaf(f=math.inf)],
    "int out of range": [leaf(i=2**40)],
    "null in non-null field": [leaf(), leaf(s=None)],
    "null item": [leaf(), None],
    "int in String": [leaf(s=5)],
    "not an enum": [leaf(k="C")],
    "enum value": [leaf(k=Kind.B)],
    "empty": [],
    "list with a null item": [leaf(tags=["a", None])],
    "list with an int": [leaf(tags=["a", 3])],
    "null list": [leaf(tags=None)],
    "not a list": [leaf(tags="ab")],
    "nullable items": [leaf(maybe=[1, None, 2**40])],
    "tuple": [leaf(tags=("a", "b"))],
    "resolver of a string": [leaf(f="x")],
}


def _schema(items: list[Any], fast: bool) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def items(self) -> list[Leaf]:
            return items

        @strawberry.field
        def maybe(self) -> list[Leaf | None]:
            return items

        @strawberry.field
        def one(self) -> Leaf | None:
            return items[-1] if items else None

        @strawberry.field
        def outers(self) -> list[Outer | None]:
            found: list[Outer | None] = [
                Outer(a="o", inner=item, b=n, inners=[item] if item else [])
                for n, item in enumerate(items)
            ]
            # a null in a non-null leaf beside the objects
            broken = Outer(a="", inner=None, b=1, inners=[])
            object.__setattr__(broken, "a", None)
            found.append(broken)
            return found

    built = strawberry.Schema(query=Query)
    if fast:
        assert "Leaf.twice" in install(built)
    return built


QUERY = """{
  items { f i s b k n __typename tags maybe twice }
  maybe { f i s b k n tags }
  one { s f twice }
  outers { a inner { s f tags } b inners { i k } later }
}"""


def _answer(schema: strawberry.Schema) -> dict[str, Any]:
    result = asyncio.run(schema.execute(QUERY))
    return {
        # as text: the order of the keys is part of the answer
        "data": json.dumps(result.data),
        "errors": sorted((e.message, tuple(e.path or ())) for e in result.errors or []),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_leaf_records_answer_exactly_as_graphql_core(case: str) -> None:
    items = CASES[case]
    assert _answer(_schema(items, fast=True)) == _answer(_schema(items, fast=False))


async def test_an_awaitable_leaf_takes_graphql_cores_path() -> None:
    slow_items = [leaf(), leaf(s=_later())]
    fast_items = [leaf(), leaf(s=_later())]
    slow = await _schema(slow_items, fast=False).execute("{ items { s } }")
    fast = await _schema(fast_items, fast=True).execute("{ items { s } }")
    assert fast.data == slow.data
    assert [e.message for e in fast.errors or []] == [
        e.message for e in slow.errors or []
    ]


def test_lists_of_scalars_and_resolvers_of_the_parent_take_the_one_step_path() -> None:
    fast = _schema(CASES["plain"], fast=True)
    result = asyncio.run(fast.execute(QUERY))
    # only the last Outer, whose non-null ``a`` is null
    assert [e.path for e in result.errors or []] == [["outers", 2, "a"]]
    compiled = [
        names
        for (gtype, names) in cached_selections()
        if gtype is core_schema(fast).type_map["Leaf"]
    ]
    selected = {name for names in compiled for _, name, _child in names}
    assert {"tags", "maybe", "twice", "f"} <= selected
    # the leaves of an object that also selects objects and lists
    beside = [
        tuple((key, name) for key, name, _child in names)
        for (gtype, names) in cached_selections()
        if gtype is core_schema(fast).type_map["Outer"]
    ]
    assert (("a", "a"), ("b", "b")) in beside


def test_plans_shared_between_requests_follow_the_variables() -> None:
    """One parsed document (the guard caches them) executed with @include
    turned on, off and on again: plans are shared between executions of the
    same nodes, but never across different selections."""
    from graphql import ExecutionResult, execute, parse

    items = CASES["plain"]
    fast = _schema(items, fast=True)
    slow = _schema(items, fast=False)
    document = parse(
        "query($x: Boolean!) { items { f s @include(if: $x) tags } "
        "outers { a @include(if: $x) b inner { s } } }"
    )
    for flag in (True, False, True, False):
        got, expected = (
            execute(
                core_schema(built),
                document,
                variable_values={"x": flag},
                executor_class=built.execution_context_class,
            )
            for built in (fast, slow)
        )
        assert isinstance(got, ExecutionResult)
        assert isinstance(expected, ExecutionResult)
        assert json.dumps(got.data) == json.dumps(expected.data)
        assert got.data is not None
        assert ("s" in got.data["items"][0]) is flag


RECORDS: dict[str, list[dict[str, Any]]] = {
    "as stored": [
        {"start": 0.0, "end": 4.5, "speaker": "A", "text": "Hello."},
        {"start": 4.5, "end": 9.0, "speaker": None, "text": "Hi."},
    ],
    "int seconds": [{"start": 3, "end": 4, "speaker": "A", "text": "x"}],
    "missing keys": [{"text": "only text"}, {}],
    "negative zero": [{"start": -0.0, "end": 1.0, "speaker": "A", "text": "x"}],
    "NaN": [{"start": math.nan, "end": 1.0, "speaker": "A", "text": "x"}],
    "empty text": [{"start": 1.0, "end": 2.0, "speaker": "A", "text": ""}],
    "int text and speaker": [{"start": 1.0, "end": 2.0, "speaker": 7, "text": 5}],
    "string seconds": [{"start": "1.5", "end": 2.0, "speaker": "A", "text": "x"}],
    "extra keys": [{"start": 1.0, "end": 2.0, "text": "x", "words": [1, 2]}],
}


def _segments_schema(
    records: list[dict[str, Any]], fast: bool, made: list[int] | None = None
) -> strawberry.Schema:
    def make(record: dict[str, Any]) -> TranscriptSegmentType:
        if made is not None:
            made.append(1)
        return segment_from_record(record)

    @strawberry.type
    class Query:
        @strawberry.field
        def segments(self) -> list[TranscriptSegmentType]:
            return cast("list[TranscriptSegmentType]", RawRecords(records, make))

    built = strawberry.Schema(query=Query)
    if fast:
        install(built)
    return built


@pytest.mark.parametrize("case", sorted(RECORDS))
def test_stored_segments_answer_as_their_objects_would(case: str) -> None:
    """RawRecords: the records read directly where they are exactly what the
    objects would hold, as objects otherwise; the same answer either way."""
    query = "{ segments { start end speaker text __typename } }"
    answers = []
    for fast in (True, False):
        result = _segments_schema(RECORDS[case], fast).execute_sync(query)
        answers.append(
            (
                json.dumps(result.data),
                sorted(e.message for e in result.errors or []),
            )
        )
    assert answers[0] == answers[1]


def test_stored_segments_as_stored_are_not_made_into_objects() -> None:
    made: list[int] = []
    schema = _segments_schema(RECORDS["as stored"], True, made)
    result = schema.execute_sync("{ segments { start text } }")
    assert result.errors is None
    assert result.data == {
        "segments": [{"start": 0.0, "text": "Hello."}, {"start": 4.5, "text": "Hi."}]
    }
    assert made == []
    # one value that is not as stored: the objects are made
    _segments_schema(RECORDS["int seconds"], True, made).execute_sync(
        "{ segments { start } }"
    )
    assert made == [1]


def test_completers_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Aliases are the client's: every new one makes a new selection, so the
    caches of completers must not grow without end."""
    from schema.fastexec import completers

    monkeypatch.setattr(completers, "CACHE_MAX", 3)
    schema = _schema(CASES["plain"], fast=True)
    for n in range(10):
        result = schema.execute_sync(f"{{ items {{ a{n}: f }} }}")
        assert result.errors is None
        assert len(cached_selections()) <= 3
