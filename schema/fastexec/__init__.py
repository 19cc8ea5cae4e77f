"""The fast path: our own shortcuts through strawberry's and graphql-core's
execution, in one package that can be switched off (``FAST_EXECUTION=false``,
settings.py; then the plain strawberry/graphql-core path runs).

Entry point: ``install(schema)`` on a built ``strawberry.Schema`` (called by
``schema.build_schema`` when the setting is on). Resolvers and types use only
``repeatable`` and ``RawRecords`` from here. ``check_contract(schema)`` runs
either way, so a resolver that breaks the contract fails when the schema is
built, in both modes.

What it does (docs/performance.md has the figures):

1. Direct resolvers (direct.py). A field whose resolver takes ``root``
   (then optionally ``info`` and its arguments) and has no permission classes,
   field extensions or directives is called without strawberry's per-call
   wrapper, with the same values strawberry would pass (arguments converted by
   strawberry's own ``convert_arguments``, remembered per field for plain
   values).
2. One-step completion (context.py, plans.py, completers.py). When every
   field a query selects on an object is a leaf (a plain attribute, a list of
   built-in scalars or a synchronous resolver of the parent alone, of a scalar
   or enum type) or a child completed the same way (a plain attribute, a
   function of the parent or a ``@repeatable`` resolver, with no directive
   below it), the object's result is built in one step, and a list of such
   objects in one loop; an object that selects leaves beside other fields
   reads its leaves in one step and executes the others as graphql-core does,
   in the selection's order. ``RawRecords`` (records.py) lets stored records
   (a transcript's segments) be read without making objects.

Invariants (each guarded by a differential test in ``tests/schema``:
test_fast_resolvers, test_leaf_records, test_nested_plans):

- The same answer as the plain path, byte for byte: data, key order, errors
  and their paths, audit rows. Anything unusual for one object (a null in a
  non-null field, a value that does not serialise, an awaitable, an
  ``is_type_of`` that says no) raises ``Fallback`` and hands that object (or
  that whole list) back to graphql-core, which reports it as it always does.
- No plan where the answer could depend on more than the type and the field
  nodes: @defer/@stream, a directive below a child, a fragment with variable
  signatures, field arguments, or a middleware (which must see every field).
- Plans are shared between requests only for the same type and the same
  field-node identities (the guard's parse cache keeps a document's nodes);
  the caches are bounded (selections come from clients).

The contract it puts on resolvers:

- A synchronous resolver of ``(root)`` alone is a pure function of its
  parent: the fast path may call it without an info, and call it again when
  it hands an object back. (It has no info, so it cannot reach the request's
  session or audit; purity beyond that is assumed, not checked.)
- A resolver marked ``@repeatable`` is synchronous, takes exactly
  ``(root, info)``, may be called more than once for the same parent with the
  same answer and no further effect (it records its audit once per request),
  and reads of the info only its context, its field nodes and the document:
  the info is shared by every parent of a list, its path is the field's.
  ``check_contract`` refuses, when the schema is built, a marked resolver
  whose signature asks for more (async, arguments, more parameters,
  permission classes, field extensions, a root field). What it reads of the
  info is not checked.
- ``RawRecords(records, make)``: ``make`` keeps a value that is already of its
  field's type as it is (then reading the record or the object answers the
  same).

Everything it takes from strawberry and graphql-core beyond their public API
is named in internals.py, for the versions pinned in pyproject.toml;
``tests/schema/test_fastexec_contract.py`` fails when those change.
"""

from __future__ import annotations

from typing import Any

from schema.fastexec.context import FastExecutionContext
from schema.fastexec.direct import (
    ContractError,
    check_contract,
    install_resolvers,
    repeatable,
)
from schema.fastexec.records import RawRecords

__all__ = ["ContractError", "RawRecords", "check_contract", "install", "repeatable"]


def install(schema: Any) -> list[str]:
    """Switch the fast path on for a built strawberry Schema: its execution
    context and direct resolvers for the eligible fields (root types keep
    strawberry's). Checks the contract first; returns the ``Type.field``
    names given a direct resolver."""
    check_contract(schema)
    schema.execution_context_class = FastExecutionContext
    return install_resolvers(schema)
