"""The account mutations, as one call each: signup, login, token rotation,
logout, email verification, accepting an invitation, an administrator's
creating and deactivating accounts. Each does the write (services/accounts.py,
auth.py, practices.py, invitations.py), its audit event and the mail sent once
the request committed (services/writes.py says what a use-case does).

A request that signs an account in has no user yet: its events name the
account as the actor (``actor_id``).
"""

from __future__ import annotations

import uuid

from db.enums import AuditAction
from db.models import User
from services import accounts, auth, invitations, mail, practices
from services.auth import AuthTokens
from services.errors import Forbidden, Unauthenticated
from services.ratelimit import Limit, enforce_limits, subject_key
from services.writes import Writer


def _mail_verification_after_commit(writer: Writer, user: User, token: str) -> None:
    settings, user_id = writer.settings, str(user.id)
    to, first_name = user.email, user.first_name

    async def send() -> None:
        mail.in_background(
            mail.send_verification(settings, user_id, to, first_name, token)
        )

    writer.after_commit(send)


async def signup(
    writer: Writer, data: accounts.NewUser, practice_name: str | None = None
) -> AuthTokens:
    """SIGNUP_MODE=open: an account founding a practice, signed in."""
    settings = writer.settings
    if not settings.open_signup:
        raise Forbidden(practices.CLOSED)
    limit = settings.signup_rate_limit_per_hour
    await enforce_limits(
        writer.session_factory,
        [Limit(f"signup:ip:{writer.client.ip}", limit, 3600)],
    )
    user = await practices.open_signup(writer.db, settings, data, practice_name)
    token = await accounts.create_verification_token(writer.db, settings, user)
    _mail_verification_after_commit(writer, user, token)
    writer.audit(AuditAction.CREATE, "User", user.id, None, actor_id=user.id)
    return await auth.issue_tokens(writer.db, settings, user, writer.client)


async def create_user(writer: Writer, data: accounts.NewUser) -> User:
    """A practice administrator's new account in their practice."""
    admin = practices.require_practice_admin(writer.require_user())
    db = writer.db
    user = await accounts.register_user(db, data, practice_id=admin.practice_id)
    token = await accounts.create_verification_token(db, writer.settings, user)
    _mail_verification_after_commit(writer, user, token)
    writer.audit(AuditAction.CREATE, "User", user.id, None, ["role"])
    return user


async def login(writer: Writer, email: str, password: str) -> AuthTokens:
    """Tokens for a correct email and password; a failure is audited too."""
    result = await auth.login(
        writer.db,
        writer.session_factory,
        writer.settings,
        email,
        password,
        writer.client,
    )
    if result.tokens is None:
        # the user id when the address exists; never the address itself
        writer.audit(AuditAction.LOGIN_FAILED, "User", result.user_id, None)
        raise Unauthenticated(auth.LOGIN_FAILED)
    writer.audit(
        AuditAction.LOGIN, "User", result.user_id, None, actor_id=result.user_id
    )
    return result.tokens


async def refresh_token(writer: Writer, token: str) -> AuthTokens:
    return await auth.refresh(
        writer.db, writer.session_factory, writer.settings, token, writer.client
    )


async def logout(writer: Writer, token: str) -> bool:
    await auth.logout(writer.db, token)
    return True


async def verify_email(writer: Writer, token: str) -> User:
    return await accounts.verify_email(writer.db, token)


async def resend_verification(writer: Writer, email: str) -> bool:
    """A new verification mail for an unverified account; the same answer
    whether or not the address has one."""
    settings = writer.settings
    limit = settings.resend_verification_rate_limit_per_hour
    await enforce_limits(
        writer.session_factory,
        [
            Limit(f"resend:ip:{writer.client.ip}", limit * 3, 3600),
            Limit(subject_key("resend:email", email.strip().lower()), limit, 3600),
        ],
    )
    user = await accounts.unverified_user(writer.db, email)
    if user is not None:
        token = await accounts.create_verification_token(writer.db, settings, user)
        _mail_verification_after_commit(writer, user, token)
    # the same answer whether or not the address has an account
    return True


async def deactivate_user(writer: Writer, user_id: uuid.UUID) -> User:
    admin = practices.require_practice_admin(writer.require_user())
    user = await accounts.deactivate_user(writer.db, admin, user_id)
    writer.audit(AuditAction.UPDATE, "User", user.id, None, ["isActive"])
    return user


async def accept_invitation(
    writer: Writer, token: str, password: str, first_name: str, last_name: str
) -> AuthTokens:
    """The invited account, created verified and signed in."""
    user, row = await invitations.accept_invitation(
        writer.db, token, password, first_name, last_name
    )
    writer.audit(
        AuditAction.CREATE,
        "User",
        user.id,
        row.patient_id,
        ["invitation"],
        actor_id=user.id,
    )
    return await auth.issue_tokens(writer.db, writer.settings, user, writer.client)
