"""Column helpers shared by the model modules."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import mapped_column


def enum_column(
    enum_cls: type[enum.Enum], *, name: str | None = None, **kw: Any
) -> Any:
    """A VARCHAR with a CHECK constraint: portable and easy to migrate."""
    return mapped_column(
        Enum(
            enum_cls,
            native_enum=False,
            create_constraint=True,
            length=32,
            name=name or enum_cls.__name__.lower(),
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        **kw,
    )


def fk(
    target: str,
    *,
    nullable: bool = False,
    ondelete: str = "CASCADE",
    unique: bool = False,
    primary_key: bool = False,
) -> Any:
    """A foreign key column with its index (every foreign key is indexed)."""
    return mapped_column(
        ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
        index=not unique,
        unique=unique or None,
        primary_key=primary_key,
    )


__all__ = ["enum_column", "fk", "uuid"]
