"""What the fast path takes from strawberry and graphql-core beyond their
public API, all of it named here (the rest of the package uses this module).

From graphql-core (3.3): ``context.py`` subclasses its ``ExecutionContext``
and overrides three methods its docs mark ``:meta private:``
(``execute_fields``, ``execute_collected_subfields``,
``complete_iterable_value``); its ``execute_fields`` is graphql-core's own with
the leaves filled in first. It calls ``build_resolve_info``,
``collect_subfields``, ``get_stream_usage``, ``execute_field``,
``settle_in_background`` and ``is_awaitable`` of the same class.

From strawberry: the GraphQLSchema a ``strawberry.Schema`` wraps
(``schema._schema``), the ``Info`` built around graphql-core's resolve info as
strawberry's converter builds it (``Info(_raw_info=..., _field=...)``), the
StrawberryField behind a graphql-core field (the converter's definition
back-reference), ``convert_arguments`` and its scalar registry.

These hold for the versions pinned in pyproject.toml (``TESTED_VERSIONS``);
``tests/schema/test_fastexec_contract.py`` fails when the installed versions
differ, so an upgrade is a deliberate step: re-run the differential tests in
``tests/schema`` and the benchmark, then move the pins.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLField, GraphQLSchema
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from strawberry.types.field import StrawberryField

# the versions this package was written and tested against (== pyproject.toml)
TESTED_VERSIONS = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}


def core_schema(schema: Any) -> GraphQLSchema:
    """The graphql-core schema of a strawberry Schema."""
    core: GraphQLSchema = schema._schema
    return core


def definition(field: GraphQLField) -> StrawberryField | None:
    """The StrawberryField a graphql-core field was converted from."""
    found = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return found if isinstance(found, StrawberryField) else None


def make_info(raw: Any, field: StrawberryField) -> Info[Any, Any]:
    """The Info strawberry would pass a resolver of ``field``."""
    return Info(_raw_info=raw, _field=field)
