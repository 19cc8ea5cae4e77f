"""What a database exception means: a statement timeout, or the database
being unreachable (down, restarting, failing over) rather than a bug."""

from __future__ import annotations

import asyncpg
import psycopg
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout

QUERY_CANCELED = "57014"  # statement_timeout (or a cancel request)
# admin_shutdown, crash_shutdown, cannot_connect_now, and class 08 (connection)
UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03"})
# deadlock and serialization failures: the same work succeeds when run again
RETRYABLE_STATES = frozenset({"40001", "40P01"})


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (SQLAlchemy's ``orig``), and its causes."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and orig not in seen:
            seen.append(orig)
        current = current.__cause__ or current.__context__
    return seen


def sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL error code behind ``exc``, if any."""
    for e in _chain(exc):
        code = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(code, str) and code:
            return code
    return None


def is_statement_timeout(exc: BaseException) -> bool:
    return any(isinstance(e, asyncpg.QueryCanceledError) for e in _chain(exc)) or (
        sqlstate(exc) == QUERY_CANCELED
    )


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or went away mid-statement."""
    code = sqlstate(exc)
    if code is not None and (code in UNAVAILABLE_STATES or code.startswith("08")):
        return True
    for e in _chain(exc):
        if isinstance(e, DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(
            e,
            DisconnectionError
            | PoolTimeout
            | ConnectionError
            | asyncpg.InterfaceError
            | asyncpg.exceptions.ConnectionDoesNotExistError
            | asyncpg.exceptions.CannotConnectNowError
            | psycopg.OperationalError,
        ):
            return True
        # asyncpg raises plain OSError (refused, no such socket file) on connect
        if type(e) in (OSError, FileNotFoundError, ConnectionRefusedError):
            return True
    return False


def is_retryable(exc: BaseException) -> bool:
    """Worth running again later: the database was away, or PostgreSQL asked
    for a retry (deadlock, serialization failure)."""
    return is_unavailable(exc) or sqlstate(exc) in RETRYABLE_STATES
