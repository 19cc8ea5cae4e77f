"""The rows behind the GraphQL types, and how a field's annotation names both.

Most strawberry types here are never instantiated: their fields are read by
attribute from whatever the parent field returned, an ORM row of
``db/models.py`` (a ``models.Patient`` for ``Patient``) or a plain record of
``services/`` (an ``AuthTokens`` for ``AuthPayload``). So a field's return
annotation has to say two things: to strawberry, the GraphQL type; to mypy,
the Python value the resolver really returns.

Each such type says both once, beside the type, with a ``…Row`` alias::

    if TYPE_CHECKING:  # what mypy checks: the row the type is read from
        PatientRow: TypeAlias = models.Patient
    else:  # what strawberry builds the schema from: the GraphQL type
        PatientRow = PatientType

and every field that returns a patient is annotated with it:
``-> PatientRow``, ``-> list[PatientRow]``, ``-> PatientRow | None``,
``-> Connection[PatientRow]``, or
``Annotated["PatientRow", strawberry.lazy("schema.types.patient")]`` across a
circular import. mypy then checks the resolver's value against the row class
(returning a ``models.User`` from a ``PatientRow`` field is an error), the
schema is the one the strawberry types describe (a wrong GraphQL side changes
``schema.graphql``, which tests/test_schema_file.py compares), and nothing
runs per call: no conversion, no wrapper, so the fast path (schema/fastexec)
sees the same plain resolvers. The type's own resolvers take
``root: strawberry.Parent[models.Patient]`` for the same reason. Types whose
values are real instances (``Connection``, ``Analytics``, a transcript's
segments) need no alias.

Why not the alternatives: a ``PatientType.from_row(row)`` classmethod costs a
call per object on every list, needs the type at run time where only a lazy
reference is importable, and still tells mypy the value is a ``PatientType``
(which it is not); ``@strawberry.field(graphql_type=...)`` is honest but puts
the GraphQL type on the decorator line, apart from the annotation, with
nothing checking that the two agree.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

T = TypeVar("T")

if TYPE_CHECKING:
    # a value, or an awaitable of it that graphql-core awaits (a field whose
    # value is usually loaded already: schema.types.session, ``notes``)
    OrAwaitable: TypeAlias = T | Awaitable[T]
else:

    class OrAwaitable:
        """``OrAwaitable[X]`` is ``X`` for strawberry: the GraphQL type does not
        say whether graphql-core had to await the value."""

        def __class_getitem__(cls, item: Any) -> Any:
            return item
