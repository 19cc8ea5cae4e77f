"""schema/fastexec completes an object's children in the same step when
their reads are plain attributes or repeatable resolvers (a connection's
edges, an edge's node, a session's primed notes). On awkward values the
answer must be exactly graphql-core's own, errors and their paths included,
and a resolver's coroutine it does not use must not be left unawaited."""

from __future__ import annotations

import asyncio
import gc
import json
import warnings
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import strawberry
from graphql import ExecutionResult, execute, parse
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from schema.fastexec import install, repeatable
from schema.fastexec.completers import cached_selections
from schema.fastexec.internals import core_schema
from schema.rows import OrAwaitable
from schema.scalars import SCALAR_MAP


@strawberry.type
class Item:
    s: str
    n: int | None = None

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, Item)


async def _later_item(value: Item) -> Item:
    await asyncio.sleep(0)
    return value


@strawberry.type
class Box:
    label: str
    item: Item
    maybe: Item | None
    items: list[Item]
    holes: list[Item | None] | None
    pick: strawberry.Private[Any] = None

    @strawberry.field
    @staticmethod
    @repeatable
    def picked(root: Box, info: Info[dict[str, Any], None]) -> OrAwaitable[Item | None]:
        info.context["calls"].append(root.label)
        node = info._raw_info.field_nodes[0]
        assert node.loc is not None  # parsed with locations
        info.context["documents"].add(node.loc.source.body)
        if root.pick == "raise":
            raise ValueError("picked failed")
        if root.pick == "later":
            return _later_item(Item(s="late"))
        return root.pick if isinstance(root.pick, Item) else None

    @strawberry.field
    @staticmethod
    @repeatable
    def picks(root: Box, info: Info[dict[str, Any], None]) -> list[OrAwaitable[Item]]:
        # a list of coroutines when the pick is "later": awaited by
        # graphql-core; the one-step path must close those it does not use
        if root.pick == "later list":
            return [_later_item(Item(s="l1")), _later_item(Item(s="l2"))]
        return [Item(s="p1"), Item(s="p2")]


def item(**changes: Any) -> Item:
    """An Item, with values its type does not allow set afterwards."""
    value = Item(s="")
    for name, changed in changes.items():
        object.__setattr__(value, name, changed)
    return value


def box(label: str = "b", **changes: Any) -> Box:
    value = Box(
        label=label,
        item=Item(s="i", n=1),
        maybe=None,
        items=[Item(s="x"), Item(s="y", n=2)],
        holes=[None, Item(s="h")],
        pick=Item(s="p"),
    )
    for name, changed in changes.items():
        object.__setattr__(value, name, changed)
    return value


CASES: dict[str, list[Any]] = {
    "plain": [box("a"), box("b", maybe=Item(s="m"))],
    "null in a non-null child": [box("a"), box("b", item=None)],
    "null item in a list of non-null": [box("a", items=[Item(s="x"), None])],
    "not a list": [box("a", items=Item(s="x"))],
    "null list": [box("a", holes=None)],
    "tuple": [box("a", items=(Item(s="x"),))],
    "another type in a child": [box("a", item=box("inner"))],
    "a leaf that does not serialise below a child": [box("a", item=item(s=[1]))],
    "a null leaf below a list": [box("a", items=[item(s=None)])],
    "resolver returns null": [box("a", pick=None)],
    "resolver raises": [box("a"), box("b", pick="raise")],
    "resolver returns a coroutine": [box("a"), box("b", pick="later")],
    "resolver returns a list of coroutines": [box("a"), box("b", pick="later list")],
    "empty": [],
}

QUERY = """{
  boxes { label item { s n } maybe { s } items { s n __typename }
          holes { n } picked { s } picks { s } }
}"""


def box_schema(boxes: list[Any], fast: bool) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def boxes(self) -> list[Box]:
            return boxes

    built = strawberry.Schema(query=Query)
    if fast:
        assert {"Box.picked", "Box.picks"} <= set(install(built))
    return built


def run_query(
    schema: strawberry.Schema, query: str = QUERY, **variables: Any
) -> tuple[ExecutionResult, dict[str, Any]]:
    context: dict[str, Any] = {"calls": [], "documents": set()}
    result = execute(
        core_schema(schema),
        parse(query),
        context_value=context,
        variable_values=variables,
        executor_class=schema.execution_context_class,
    )

    async def wait(value: Any) -> Any:
        return await value

    if not isinstance(result, ExecutionResult):
        result = asyncio.run(wait(result))
    return result, context


def _answer(result: ExecutionResult) -> tuple[str, list[tuple[str, tuple[Any, ...]]]]:
    # as text: the order of the keys is part of the answer
    return json.dumps(result.data), sorted(
        (e.message, tuple(e.path or ())) for e in result.errors or []
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_children_answer_exactly_as_graphql_core(case: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast, _ = run_query(box_schema(CASES[case], fast=True))
        slow, _ = run_query(box_schema(CASES[case], fast=False))
        gc.collect()
    assert _answer(fast) == _answer(slow)
    assert not [w for w in caught if "never awaited" in str(w.message)]


def test_a_plain_page_takes_the_one_step_path_and_reads_each_box_once() -> None:
    schema = box_schema(CASES["plain"], fast=True)
    result, context = run_query(schema)
    assert result.errors is None
    assert context["calls"] == ["a", "b"]
    box_type = core_schema(schema).type_map["Box"]
    planned = [names for (gtype, names) in cached_selections() if gtype is box_type]
    children = {name for names in planned for _, name, child in names if child}
    assert {"item", "maybe", "items", "holes", "picked", "picks"} <= children


def test_a_fallback_asks_a_repeatable_resolver_again_with_the_same_answer() -> None:
    """Box b's non-null child is null: graphql-core completes the whole list
    again, asking the resolver a second time; the answer is graphql-core's."""
    result, context = run_query(
        box_schema(CASES["null in a non-null child"], fast=True)
    )
    assert [e.path for e in result.errors or []] == [["boxes", 1, "item"]]
    # box a's resolver answered in the one-step path, then again in
    # graphql-core's (which stops at box b's null item before its picked)
    assert context["calls"] == ["a", "a"]


def test_directives_below_a_child_follow_the_variables() -> None:
    """A child whose selection has a directive is not planned ahead (its plan
    would depend on the variables); the answers follow every flag."""
    fast, slow = box_schema(CASES["plain"], True), box_schema(CASES["plain"], False)
    query = (
        "query($x: Boolean!) { boxes { label items { s n @include(if: $x) } "
        "picked { s @skip(if: $x) } } }"
    )
    document = parse(query)
    for flag in (True, False, True):
        got, expected = (
            execute(
                core_schema(built),
                document,
                variable_values={"x": flag},
                context_value={"calls": [], "documents": set()},
                executor_class=built.execution_context_class,
            )
            for built in (fast, slow)
        )
        assert isinstance(got, ExecutionResult)
        assert isinstance(expected, ExecutionResult)
        assert _answer(got) == _answer(expected)
        assert got.data is not None
        assert ("n" in got.data["boxes"][0]["items"][0]) is flag


def test_fragments_below_children_answer_as_graphql_core() -> None:
    query = """{ boxes { ...B } }
      fragment B on Box { label item { ...I } items { ...I s } picked { ...I } }
      fragment I on Item { s n }"""
    fast, _ = run_query(box_schema(CASES["plain"], True), query)
    slow, _ = run_query(box_schema(CASES["plain"], False), query)
    assert fast.errors is None
    assert _answer(fast) == _answer(slow)


def test_the_shared_resolve_info_is_the_current_documents() -> None:
    """Two documents with the same selection (they differ in spacing): each
    execution's resolver sees its own document's nodes, never a cached
    completer's earlier one."""
    schema = box_schema(CASES["plain"], fast=True)
    first = "{ boxes { label picked { s } } }"
    second = "{ boxes {  label  picked { s } } }"
    for query in (first, second, first):
        result, context = run_query(schema, query)
        assert result.errors is None
        assert context["documents"] == {query}


@strawberry.type
class Stamp:
    at: datetime
    maybe: datetime | None = None


STAMPS: dict[str, Any] = {
    "UTC": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    "another offset": datetime(2026, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=2))),
    "naive": datetime(2026, 1, 2, 3, 4),  # noqa: DTZ001 (what a naive value gives)
    "a string": "2026-01-02T03:04:00+00:00",
    "null in a non-null field": None,
}


@pytest.mark.parametrize("case", sorted(STAMPS))
def test_datetimes_serialise_as_the_scalar_does(case: str) -> None:
    """Our DateTime's UTC values are written by the one-step path itself;
    everything else goes through the scalar, as graphql-core would."""
    value = STAMPS[case]
    answers = []
    for fast in (True, False):

        @strawberry.type
        class Query:
            @strawberry.field
            def stamps(self) -> list[Stamp]:
                return [Stamp(at=value, maybe=value)]

        config = StrawberryConfig(scalar_map=SCALAR_MAP)
        built = strawberry.Schema(query=Query, config=config)
        if fast:
            install(built)
        answers.append(_answer(run_query(built, "{ stamps { at maybe } }")[0]))
    assert answers[0] == answers[1]
    if case == "UTC":
        assert answers[0][0] == json.dumps(
            {"stamps": [{"at": value.isoformat(), "maybe": value.isoformat()}]}
        )
