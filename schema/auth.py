"""Root fields of authentication and account administration."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import auth
from resolvers.context import Context
from resolvers.ids import decode_id
from schema.types.auth import AuthPayloadRow, CreateUserInput, SignupInput
from schema.types.user import UserRow


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description="SIGNUP_MODE=open: a THERAPIST or PATIENT account in a new "
        "practice (a therapist administers it). FORBIDDEN with SIGNUP_MODE=invite."
    )
    async def signup(
        self, info: Info[Context, None], input: SignupInput
    ) -> AuthPayloadRow:
        return await auth.signup(info.context, input.to_new_user(), input.practice_name)

    @strawberry.mutation(description="Sign in with email and password.")
    async def login(
        self, info: Info[Context, None], email: str, password: str
    ) -> AuthPayloadRow:
        return await auth.login(info.context, email, password)

    @strawberry.mutation(
        description="Exchange a refresh token (single use) for new tokens."
    )
    async def refresh_token(
        self, info: Info[Context, None], refresh_token: str
    ) -> AuthPayloadRow:
        return await auth.refresh_token(info.context, refresh_token)

    @strawberry.mutation(description="End the login session of a refresh token.")
    async def logout(self, info: Info[Context, None], refresh_token: str) -> bool:
        return await auth.logout(info.context, refresh_token)

    @strawberry.mutation(description="Confirm an email address with the mailed token.")
    async def verify_email(self, info: Info[Context, None], token: str) -> UserRow:
        return await auth.verify_email(info.context, token)

    @strawberry.mutation(
        description="Mail a new verification link; always true (no address probing)."
    )
    async def resend_verification(self, info: Info[Context, None], email: str) -> bool:
        return await auth.resend_verification(info.context, email)

    @strawberry.mutation(
        description="Practice administrators: an account of any role in their practice."
    )
    async def create_user(
        self, info: Info[Context, None], input: CreateUserInput
    ) -> UserRow:
        return await auth.create_user(info.context, input.to_new_user())

    @strawberry.mutation(
        description="Practice administrators: deactivate an account of their "
        "practice; its tokens stop working."
    )
    async def deactivate_user(
        self, info: Info[Context, None], user_id: strawberry.ID
    ) -> UserRow:
        uid = decode_id(user_id, "User", "userId")
        return await auth.deactivate_user(info.context, uid)
