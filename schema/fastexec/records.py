"""``RawRecords``: stored records that read as a list of objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, overload

T = TypeVar("T")


class RawRecords(Sequence[T]):
    """Stored records (dicts keyed by a type's Python field names) that read as
    a list of objects: whoever iterates gets ``make(record)`` for each. The
    leaf-record path reads the records themselves when every selected value is
    already exactly what the object would hold, so that a transcript's ~400
    segments are not made into objects only to be read back.

    ``make`` must keep a value that is already of its field's type as it is
    (then both paths answer the same)."""

    def __init__(
        self, records: list[dict[str, Any]], make: Callable[[dict[str, Any]], T]
    ):
        self.records = records
        self.make = make

    def __len__(self) -> int:
        return len(self.records)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self.make(r) for r in self.records[index]]
        return self.make(self.records[index])

    def __iter__(self) -> Iterator[T]:
        return map(self.make, self.records)
