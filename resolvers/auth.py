"""Sign-up, login, token rotation, email verification, account administration:
each calls one use-case of services/account_writes.py with the context."""

from __future__ import annotations

import uuid

from db.models import User
from resolvers.context import Context
from services import account_writes, accounts
from services.auth import AuthTokens


async def signup(
    ctx: Context, data: accounts.NewUser, practice_name: str | None = None
) -> AuthTokens:
    return await account_writes.signup(ctx, data, practice_name)


async def create_user(ctx: Context, data: accounts.NewUser) -> User:
    return await account_writes.create_user(ctx, data)


async def login(ctx: Context, email: str, password: str) -> AuthTokens:
    return await account_writes.login(ctx, email, password)


async def refresh_token(ctx: Context, token: str) -> AuthTokens:
    return await account_writes.refresh_token(ctx, token)


async def logout(ctx: Context, token: str) -> bool:
    return await account_writes.logout(ctx, token)


async def verify_email(ctx: Context, token: str) -> User:
    return await account_writes.verify_email(ctx, token)


async def resend_verification(ctx: Context, email: str) -> bool:
    return await account_writes.resend_verification(ctx, email)


async def deactivate_user(ctx: Context, user_id: uuid.UUID) -> User:
    return await account_writes.deactivate_user(ctx, user_id)
