"""Sign-up, login, token rotation, email verification, account administration."""

from __future__ import annotations

import uuid

from db.models import User
from resolvers.audit import AuditAction, audit
from resolvers.context import Context
from services import accounts, auth, mail, practices
from services.auth import AuthTokens, Client
from services.errors import Forbidden, Unauthenticated
from services.ratelimit import Limit, enforce_limits, subject_key


def client_of(ctx: Context) -> Client:
    return Client(ip=ctx.client_ip, user_agent=ctx.request.headers.get("user-agent"))


def _mail_verification_after_commit(ctx: Context, user: User, token: str) -> None:
    settings, user_id = ctx.settings, str(user.id)
    to, first_name = user.email, user.first_name

    async def send() -> None:
        mail.in_background(
            mail.send_verification(settings, user_id, to, first_name, token)
        )

    ctx.after_commit(send)


async def signup(
    ctx: Context, data: accounts.NewUser, practice_name: str | None = None
) -> AuthTokens:
    if not ctx.settings.open_signup:
        raise Forbidden(practices.CLOSED)
    limit = ctx.settings.signup_rate_limit_per_hour
    await enforce_limits(
        ctx.session_factory, [Limit(f"signup:ip:{ctx.client_ip}", limit, 3600)]
    )
    user = await practices.open_signup(ctx.db, ctx.settings, data, practice_name)
    token = await accounts.create_verification_token(ctx.db, ctx.settings, user)
    _mail_verification_after_commit(ctx, user, token)
    audit(ctx, AuditAction.CREATE, "User", user.id, None, actor_id=user.id)
    return await auth.issue_tokens(ctx.db, ctx.settings, user, client_of(ctx))


async def create_user(ctx: Context, data: accounts.NewUser) -> User:
    admin = practices.require_practice_admin(ctx.require_user())
    user = await accounts.register_user(ctx.db, data, practice_id=admin.practice_id)
    token = await accounts.create_verification_token(ctx.db, ctx.settings, user)
    _mail_verification_after_commit(ctx, user, token)
    audit(ctx, AuditAction.CREATE, "User", user.id, None, ["role"])
    return user


async def login(ctx: Context, email: str, password: str) -> AuthTokens:
    result = await auth.login(
        ctx.db, ctx.session_factory, ctx.settings, email, password, client_of(ctx)
    )
    if result.tokens is None:
        # the user id when the address exists; never the address itself
        audit(ctx, AuditAction.LOGIN_FAILED, "User", result.user_id, None)
        raise Unauthenticated(auth.LOGIN_FAILED)
    audit(ctx, AuditAction.LOGIN, "User", result.user_id, None, actor_id=result.user_id)
    return result.tokens


async def refresh_token(ctx: Context, token: str) -> AuthTokens:
    return await auth.refresh(
        ctx.db, ctx.session_factory, ctx.settings, token, client_of(ctx)
    )


async def logout(ctx: Context, token: str) -> bool:
    await auth.logout(ctx.db, token)
    return True


async def verify_email(ctx: Context, token: str) -> User:
    return await accounts.verify_email(ctx.db, token)


async def resend_verification(ctx: Context, email: str) -> bool:
    limit = ctx.settings.resend_verification_rate_limit_per_hour
    await enforce_limits(
        ctx.session_factory,
        [
            Limit(f"resend:ip:{ctx.client_ip}", limit * 3, 3600),
            Limit(subject_key("resend:email", email.strip().lower()), limit, 3600),
        ],
    )
    user = await accounts.unverified_user(ctx.db, email)
    if user is not None:
        token = await accounts.create_verification_token(ctx.db, ctx.settings, user)
        _mail_verification_after_commit(ctx, user, token)
    # the same answer whether or not the address has an account
    return True


async def deactivate_user(ctx: Context, user_id: uuid.UUID) -> User:
    admin = practices.require_practice_admin(ctx.require_user())
    user = await accounts.deactivate_user(ctx.db, admin, user_id)
    audit(ctx, AuditAction.UPDATE, "User", user.id, None, ["isActive"])
    return user
