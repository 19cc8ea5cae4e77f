"""Structured logs: one JSON object per line.

Only identifiers go into log records (request id, user id, operation name);
names, emails, tokens and clinical text never do.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

_EXTRA_FIELDS = ("request_id", "user_id", "operation", "job", "session_id")


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
            if value is not None:
                entry[name] = str(value)
        if record.exc_info and record.exc_info[0] is not None:
            # the type and the frames only: exception messages may carry PHI
            entry["exception"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException((None, None, record.exc_info[2]))  # type: ignore[arg-type]
        return orjson.dumps(entry).decode()


def configure_logging(level: str = "INFO") -> None:
    """Route every logger (uvicorn's too) through the JSON formatter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "procrastinate"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    # the access log would print query strings; our middleware logs instead
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
