"""Changes a client asks for: typed, with "not set" told apart from "set to null".

A service that changes some fields of a row takes a frozen dataclass of them
(``PatientChanges``, ``NoteChanges``), each field typed ``T | None | Unset``:
``UNSET`` means the client left the field out (it stays as it is), ``None``
that it was set to null. The graph layer builds it from its input type.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Final, TypeVar

T = TypeVar("T")


class Unset(enum.Enum):
    """The type of ``UNSET``: one value, so ``x is UNSET`` narrows ``T | Unset``."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def or_none(value: T | Unset) -> T | None:
    """The value set, or None when it was not."""
    return None if value is UNSET else value


@dataclasses.dataclass(frozen=True, slots=True)
class Changes:
    """The base of a service's changes: the names of the fields set."""

    def fields_set(self) -> list[str]:
        """The fields the client set (to a value or to null), sorted."""
        return sorted(
            f.name
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not UNSET
        )
