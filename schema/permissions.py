"""Role checks of the GraphQL surface, as strawberry permission classes.

Put them on a field with ``extensions=requires(IsClinician)``: the classes
raise the project's own errors (services/errors.py), so a refused field
answers with the same code and message as before (UNAUTHENTICATED without a
user, FORBIDDEN for the wrong role) and errors are formatted in one place
(schema/errors.py). ``requires`` adds no schema directive, so
``schema.graphql`` does not change.

Used on root fields and mutations only. A field with an extension leaves
schema/fastexec's direct path, so the role checks of hot nested fields
(``TherapySession.transcript``, the notes' hidden fields) stay in the read
services (services/session_reads.py), which refuse the PATIENT role for those
values whatever calls them. Writes keep the service check too
(``services.patients.require_clinician``): services are called from the CLI
and jobs as well, so a rule that protects data never lives only here.
Subscriptions keep their check in the resolver, where it runs when the
stream starts, as graphql-core reports it today.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from db.enums import Role
from resolvers.context import Context
from services.errors import Forbidden


class IsAuthenticated(BasePermission):
    """A signed-in caller: UNAUTHENTICATED (with the token's refusal) otherwise."""

    def has_permission(self, source: Any, info: Info[Context, Any], **kw: Any) -> bool:
        info.context.require_user()
        return True


class IsClinician(BasePermission):
    """A therapist or an admin: FORBIDDEN ("Not allowed") for a patient."""

    def has_permission(self, source: Any, info: Info[Context, Any], **kw: Any) -> bool:
        if info.context.require_user().role is Role.PATIENT:
            raise Forbidden()
        return True


class NotPatient(BasePermission):
    """Data hidden from patients: FORBIDDEN ("Not available to patients")."""

    def has_permission(self, source: Any, info: Info[Context, Any], **kw: Any) -> bool:
        if info.context.require_user().role is Role.PATIENT:
            raise Forbidden("Not available to patients")
        return True


def requires(*permissions: type[BasePermission]) -> list[FieldExtension]:
    """The field extension running ``permissions`` in order, without a schema
    directive (strawberry's ``permission_classes`` would print one)."""
    return [PermissionExtension([p() for p in permissions], use_directives=False)]
