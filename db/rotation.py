"""Re-encrypt PHI under the current key, a batch at a time, while the server runs.

Every column of an ``EncryptedText``/``EncryptedJSON`` type is found from the
models, so a new encrypted column is rotated without touching this module.
Each batch is one short transaction that locks its rows with
``FOR UPDATE SKIP LOCKED``: a row a request is writing right now is skipped,
not waited for, and counted as remaining (run the command again).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Table,
    Text,
    and_,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy import func as sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import Base
from db.encryption import EncryptedJSON, EncryptedText, Keyring


@dataclass
class RotationReport:
    # "table.column" -> values re-encrypted
    rotated: Counter[str] = field(default_factory=Counter)
    # "table.column" -> values still under another key (locked rows)
    remaining: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.rotated.values())


def encrypted_columns() -> dict[Table, list[Column[Any]]]:
    """Every encrypted column of the model, by table."""
    import db.models  # noqa: F401  (registers every table on the metadata)

    found: dict[Table, list[Column[Any]]] = {}
    for table in Base.metadata.sorted_tables:
        cols = [
            c
            for c in table.columns
            if isinstance(c.type, EncryptedText | EncryptedJSON)
        ]
        if cols:
            found[table] = cols
    return found


def _stale(column: Column[Any], current_id: str) -> ColumnElement[bool]:
    # the stored form is tb1:<key id>:<blob>; the raw text, not the decrypted value
    raw = sql.split_part(type_coerce(column, _RAW), ":", 2)
    return and_(column.isnot(None), raw != current_id)


# as stored: no encryption on the way in or out
_RAW = Text()


async def rotate_table(
    session_factory: async_sessionmaker[AsyncSession],
    table: Table,
    columns: list[Column[Any]],
    keyring: Keyring,
    batch_size: int,
    report: RotationReport,
) -> None:
    """Re-encrypt one table's stale values, one transaction per batch."""
    (pk,) = table.primary_key.columns
    stale = or_(*(_stale(c, keyring.current_id) for c in columns))
    raw_cols = [type_coerce(c, _RAW).label(c.name) for c in columns]
    last: Any = None
    while True:
        async with session_factory() as db, db.begin():
            query = select(pk, *raw_cols).where(stale)
            if last is not None:
                query = query.where(pk > last)
            query = query.order_by(pk).limit(batch_size)
            rows = (await db.execute(query.with_for_update(skip_locked=True))).all()
            if not rows:
                return
            for row in rows:
                values = _reseal(row, columns, keyring, report, table.name)
                stmt = update(table).where(pk == row[0])
                await db.execute(
                    stmt.values(
                        {table.c[k]: type_coerce(v, _RAW) for k, v in values.items()}
                    )
                )
            last = rows[-1][0]


def _reseal(
    row: Any,
    columns: list[Column[Any]],
    keyring: Keyring,
    report: RotationReport,
    table: str,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for col in columns:
        stored = row._mapping[col.name]
        if stored is None or Keyring.stored_key_id(stored) == keyring.current_id:
            continue
        # the decrypted text is the JSON text for EncryptedJSON: sealed as is
        values[col.name] = keyring.encrypt(keyring.decrypt(stored))
        report.rotated[f"{table}.{col.name}"] += 1
    return values


async def count_stale(
    session_factory: async_sessionmaker[AsyncSession], keyring: Keyring
) -> Counter[str]:
    """Values not under the current key, by "table.column"."""
    counts: Counter[str] = Counter()
    async with session_factory() as db:
        for table, columns in encrypted_columns().items():
            for col in columns:
                n = await db.scalar(
                    select(sql.count())
                    .select_from(table)
                    .where(_stale(col, keyring.current_id))
                )
                if n:
                    counts[f"{table.name}.{col.name}"] = int(n)
    return counts


async def rotate_phi_key(
    session_factory: async_sessionmaker[AsyncSession],
    keyring: Keyring,
    batch_size: int = 500,
) -> RotationReport:
    """Re-encrypt every encrypted value whose key is not the current one."""
    report = RotationReport()
    for table, columns in encrypted_columns().items():
        await rotate_table(session_factory, table, columns, keyring, batch_size, report)
    report.remaining = await count_stale(session_factory, keyring)
    return report
