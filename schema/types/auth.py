"""Sign-up and login types."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import strawberry

from db.enums import Role
from schema.types.user import UserType
from services.accounts import NewUser

if TYPE_CHECKING:
    from services.auth import AuthTokens


@strawberry.type(description="Tokens for a signed-in user.")
class AuthPayload:
    access_token: str
    refresh_token: str = strawberry.field(
        description="Single use: each refresh returns a new one."
    )
    expires_in: int = strawberry.field(description="Access token lifetime, seconds.")
    user: UserType


if TYPE_CHECKING:  # the record an AuthPayload is read from (schema/rows.py)
    AuthPayloadRow: TypeAlias = AuthTokens
else:
    AuthPayloadRow = AuthPayload


@strawberry.input
class NewAccountFields:
    """The fields of a new account both inputs take, in the schema's order
    (a base only: no field names it, so it is not in the schema)."""

    email: str
    password: str = strawberry.field(
        description="12+ characters with upper, lower, digit and special."
    )
    first_name: str
    last_name: str
    role: Role

    def to_new_user(self) -> NewUser:
        return NewUser(
            self.email, self.password, self.first_name, self.last_name, self.role
        )


@strawberry.input(description="A new account: THERAPIST or PATIENT.")
class SignupInput(NewAccountFields):
    practice_name: str | None = strawberry.field(
        default=None,
        description="SIGNUP_MODE=open: the name of the practice the sign-up "
        'creates (default "<First Last>\'s practice").',
    )


@strawberry.input(
    description="An account created by a practice administrator, in that "
    "practice: any role."
)
class CreateUserInput(NewAccountFields):
    pass
