"""persisted_documents: automatic persisted queries shared by every process

Revision ID: 0006_i19_persisted_documents
Revises: 0005_file_encryption
Create Date: 2026-12-02 14:00:00

A client sends a document's SHA-256 instead of its text once the server has
seen it (Apollo's APQ); every server process reads the same table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_i19_persisted_documents"
down_revision: str | None = "0005_file_encryption"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "persisted_documents",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_persisted_documents")),
    )


def downgrade() -> None:
    op.drop_table("persisted_documents")
