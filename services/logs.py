"""Structured logs: one JSON object per line.

Only identifiers go into log records (request id, user id, operation name);
names, emails, tokens and clinical text never do.
"""

from __future__ import annotations

import contextvars
import logging
import logging.config
import traceback
from datetime import UTC, datetime
from typing import Any

import orjson

_EXTRA_FIELDS = ("request_id", "user_id", "operation", "job", "session_id")

# What the current request (or job) is, for every log line it writes. Set by
# the HTTP middleware (request id), the GraphQL context (user id), the metrics
# extension (operation name) and job wrappers (job); identifiers only.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
user_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "user_id", default=None
)
operation_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "operation", default=None
)
job_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "job", default=None
)
_CONTEXT_VARS = {
    "request_id": request_id_var,
    "user_id": user_id_var,
    "operation": operation_var,
    "job": job_var,
}


def bind(**values: str | None) -> None:
    """Set log context fields (request_id, user_id, operation, job)."""
    for name, value in values.items():
        _CONTEXT_VARS[name].set(value)


def clear() -> None:
    """Forget the log context (the end of a request)."""
    for var in _CONTEXT_VARS.values():
        var.set(None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is None and name in _CONTEXT_VARS:
                value = _CONTEXT_VARS[name].get()
            if value is not None:
                entry[name] = str(value)
        if record.exc_info and record.exc_info[0] is not None:
            # the type and the frames only: exception messages may carry PHI
            entry["exception"] = record.exc_info[0].__name__
            # (what formatException gives for (None, None, frames))
            frames = traceback.format_exception(None, None, record.exc_info[2])
            entry["traceback"] = "".join(frames).removesuffix("\n")
        return orjson.dumps(entry).decode()


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A dictConfig routing every logger (uvicorn's too) through JsonFormatter.

    uvicorn applies it in each worker process of ``serve --workers N``.
    """
    quiet = {"level": "WARNING", "handlers": [], "propagate": True}
    inherit = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "services.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": inherit,
            "uvicorn.error": inherit,
            "procrastinate": inherit,
            # the access log would print query strings; our middleware logs
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
            "pgserver": quiet,
            "alembic": quiet,
            # SQL with parameters may hold PHI
            "sqlalchemy.engine": quiet,
        },
    }


def configure_logging(level: str = "INFO") -> None:
    """Route every logger (uvicorn's too) through the JSON formatter."""
    logging.config.dictConfig(logging_config(level))
