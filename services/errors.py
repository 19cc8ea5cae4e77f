"""Domain errors; the schema layer turns them into GraphQL errors with a code."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions

    def as_extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.extensions}


class Unauthenticated(AppError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Authentication required") -> None:
        super().__init__(message)


class Forbidden(AppError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "Not allowed") -> None:
        super().__init__(message)


class NotFound(AppError):
    """Also what another therapist's objects look like: IDs cannot be probed."""

    code = "NOT_FOUND"

    def __init__(self, what: str = "Object") -> None:
        super().__init__(f"{what} not found")


class BadInput(AppError):
    code = "BAD_USER_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)
        self.field = field


class Conflict(AppError):
    code = "CONFLICT"

    def __init__(self, message: str, field: str | None = None) -> None:
        if field:
            super().__init__(message, field=field)
        else:
            super().__init__(message)


class RateLimited(AppError):
    code = "RATE_LIMITED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many requests; retry in {retry_after} seconds",
            retryAfter=retry_after,
        )
        self.retry_after = retry_after


class QueryTooComplex(AppError):
    code = "QUERY_TOO_COMPLEX"


class ConsentRequired(AppError):
    """The patient has not given (or has withdrawn) a consent the action needs."""

    code = "CONSENT_REQUIRED"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message, kind=kind)
        self.kind = kind


class ServiceUnavailable(AppError):
    """The database is down or restarting: a retry later will do."""

    code = "SERVICE_UNAVAILABLE"

    def __init__(self, retry_after: int = 5) -> None:
        super().__init__(
            "The database is unavailable; retry shortly",
            kind="database",
            retryAfter=retry_after,
        )
