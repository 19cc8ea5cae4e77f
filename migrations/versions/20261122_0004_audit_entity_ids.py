"""audit_events.entity_ids: one READ row for the objects of one list

Revision ID: 0004_audit_entity_ids
Revises: 0003_analytics_coverage
Create Date: 2026-11-22 05:00:00

A page of 50 patients with 10 sessions and their notes each wrote 1,050 READ
rows, one per object. Reads of one request with the same actor, entity type,
patient and fields now share one row that lists every object in entity_ids
(entity_id stays for a row about one object). Nothing recorded is lost: every
object read is still named.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_audit_entity_ids"
down_revision: str | None = "0003_analytics_coverage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "audit_events",
        sa.Column("entity_ids", postgresql.ARRAY(sa.Uuid()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("audit_events", "entity_ids")
