"""audio_files / export_jobs: file_key and encrypted (files encrypted at rest)

Revision ID: 0005_file_encryption
Revises: 0004_audit_entity_ids
Create Date: 2026-12-02 14:00:00

Every stored file gets its own AES key, sealed by the PHI key, in its row
(``file_key``); ``encrypted`` is false for the rows that exist now, whose files
are still plain bytes. `therapybridge migrate` (and `serve`) then encrypts
those files in place, one at a time and resumably
(``services/file_migration.py``), and sets ``encrypted``. New rows are
encrypted from the start (the column's default becomes true).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_file_encryption"
down_revision: str | None = "0004_audit_entity_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("audio_files", "export_jobs")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("file_key", sa.Text(), nullable=True))
        # existing rows: not yet encrypted; from now on rows start encrypted
        op.add_column(
            table,
            sa.Column(
                "encrypted", sa.Boolean(), nullable=False, server_default=sa.false()
            ),
        )
        op.alter_column(table, "encrypted", server_default=sa.true())


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "encrypted")
        op.drop_column(table, "file_key")
