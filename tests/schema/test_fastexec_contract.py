"""schema/fastexec's bounds: the versions it was tested against, the contract
it puts on @repeatable resolvers (checked when the schema is built, in both
modes), and the FAST_EXECUTION switch."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import strawberry
from graphql import GraphQLField, GraphQLObjectType
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from schema import build_schema, schema_for
from schema.fastexec import ContractError, check_contract, install, repeatable
from schema.fastexec.context import FastExecutionContext
from schema.fastexec.direct import Kind, kind_of
from schema.fastexec.internals import TESTED_VERSIONS, core_schema
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _fields(built: Any, type_name: str) -> dict[str, GraphQLField]:
    found = core_schema(built).type_map[type_name]
    assert isinstance(found, GraphQLObjectType)
    fields: dict[str, GraphQLField] = found.fields
    return fields


def test_the_installed_strawberry_and_graphql_core_are_the_tested_versions() -> None:
    """The fast path overrides graphql-core methods marked private and reads
    strawberry internals (schema/fastexec/internals.py). An upgrade must be a
    deliberate step: re-run tests/schema and bench.modes, then move the pins
    here, in pyproject.toml and in requirements.lock together."""
    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    lock = (ROOT / "requirements.lock").read_text()
    for name, tested in TESTED_VERSIONS.items():
        installed = version(name)
        assert installed == tested, (
            f"{name} {installed} is installed, schema/fastexec was tested with "
            f"{tested}: run tests/schema and bench.modes with it, then update "
            "TESTED_VERSIONS, pyproject.toml and requirements.lock"
        )
        assert f"{name}=={tested}" in pinned, f"pyproject.toml must pin {name}"
        assert re.search(rf"^{re.escape(name)}=={re.escape(tested)} ", lock, re.M)


class Never(BasePermission):
    message = "no"

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        return False


@strawberry.type
class Item:
    s: str


def _schema_with(child: type) -> strawberry.Schema:
    @strawberry.type
    class Query:
        ok: bool = True

    return strawberry.Schema(query=Query, types=[child])


@strawberry.type
class AsyncBox:
    @strawberry.field
    @staticmethod
    @repeatable
    async def item(root: Any, info: Info[Any, Any]) -> Item:
        return Item(s="x")


@strawberry.type
class ArgumentBox:
    @strawberry.field
    @staticmethod
    @repeatable
    def item(root: Any, info: Info[Any, Any], n: int) -> Item:
        return Item(s=str(n))


@strawberry.type
class ParentOnlyBox:
    @strawberry.field
    @staticmethod
    @repeatable
    def item(root: Any) -> Item:
        return Item(s="x")


@repeatable
def _guarded_item(root: Any, info: Info[Any, Any]) -> Item:
    return Item(s="x")


@strawberry.type
class GuardedBox:
    item: Item = strawberry.field(resolver=_guarded_item, permission_classes=[Never])


@strawberry.type
class GoodBox:
    @strawberry.field
    @staticmethod
    @repeatable
    def item(root: Any, info: Info[Any, Any]) -> Item:
        return Item(s="x")


@pytest.mark.parametrize(
    ("box", "says"),
    [
        (AsyncBox, "is async"),
        (ArgumentBox, "takes arguments"),
        (ParentOnlyBox, "must take exactly (root, info)"),
        (GuardedBox, "has permission classes"),
    ],
)
def test_a_repeatable_resolver_asking_for_more_is_refused(box: type, says: str) -> None:
    for check in (check_contract, install):
        with pytest.raises(ContractError, match=re.escape(f"{box.__name__}.item")) as e:
            check(_schema_with(box))
        assert says in str(e.value)


def test_a_repeatable_root_field_is_refused() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        @staticmethod
        @repeatable
        def item(root: Any, info: Info[Any, Any]) -> Item:
            return Item(s="x")

    with pytest.raises(ContractError, match="is a root field"):
        check_contract(strawberry.Schema(query=Query))


def test_the_app_schema_refuses_a_broken_contract_in_both_modes() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def boxes(self) -> list[AsyncBox]:
            return []

    for fast in (True, False):
        with pytest.raises(ContractError):
            build_schema(query=Query, fast_execution=fast)


def test_a_repeatable_resolver_within_the_contract_is_planned() -> None:
    built = _schema_with(GoodBox)
    assert "GoodBox.item" in install(built)
    field = _fields(built, "GoodBox")["item"]
    assert field.resolve is not None
    assert kind_of(field.resolve) is Kind.REPEATABLE
    notes = _fields(build_schema(), "TherapySession")["notes"]
    assert notes.resolve is not None
    assert kind_of(notes.resolve) is Kind.REPEATABLE


def test_fast_execution_off_is_the_plain_strawberry_path() -> None:
    off = schema_for(Settings(environment="test", fast_execution=False))
    on = schema_for(Settings(environment="test", fast_execution=True))
    assert off is not on
    assert off.execution_context_class is StrawberryGraphQLCoreExecutionContext
    assert on.execution_context_class is FastExecutionContext
    for built, rewritten in ((off, False), (on, True)):
        resolve = _fields(built, "TherapySession")["notes"].resolve
        assert resolve is not None
        assert (kind_of(resolve) is not None) is rewritten
    assert off.as_str() == on.as_str()
    assert schema_for(Settings(environment="test", fast_execution=False)) is off
