"""signed notes, note addenda, risk alerts, unsupported-claim counts

Revision ID: 0008_notes_review
Revises: 0007_practices
Create Date: 2026-12-02 14:09:44

session_notes gains signed_at / signed_by_id (a signed version is locked) and
unsupported_claims; note_addenda holds the addenda of signed notes (text
encrypted like the notes); risk_alerts holds the alerts raised for processed
sessions with MEDIUM or HIGH flags (flags and acknowledgement note encrypted).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_notes_review"
down_revision: str | None = "0007_practices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "note_addenda",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("notes_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_note_addenda_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["notes_id"],
            ["session_notes.id"],
            name=op.f("fk_note_addenda_notes_id_session_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["therapy_sessions.id"],
            name=op.f("fk_note_addenda_session_id_therapy_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_addenda")),
    )
    op.create_index(
        op.f("ix_note_addenda_author_id"), "note_addenda", ["author_id"], unique=False
    )
    op.create_index(
        op.f("ix_note_addenda_notes_id"), "note_addenda", ["notes_id"], unique=False
    )
    op.create_index(
        op.f("ix_note_addenda_session_id"), "note_addenda", ["session_id"], unique=False
    )
    op.create_table(
        "risk_alerts",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("notes_id", sa.Uuid(), nullable=True),
        sa.Column(
            "severity",
            sa.Enum(
                "LOW",
                "MEDIUM",
                "HIGH",
                name="riskseverity",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "ACKNOWLEDGED",
                name="riskalertstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("acknowledgement_note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_risk_alerts_acknowledged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["notes_id"],
            ["session_notes.id"],
            name=op.f("fk_risk_alerts_notes_id_session_notes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_risk_alerts_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["therapy_sessions.id"],
            name=op.f("fk_risk_alerts_session_id_therapy_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["users.id"],
            name=op.f("fk_risk_alerts_therapist_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_alerts")),
    )
    op.create_index(
        op.f("ix_risk_alerts_acknowledged_by_id"),
        "risk_alerts",
        ["acknowledged_by_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_risk_alerts_notes_id"), "risk_alerts", ["notes_id"], unique=False
    )
    op.create_index(
        op.f("ix_risk_alerts_patient_id"), "risk_alerts", ["patient_id"], unique=False
    )
    op.create_index(
        op.f("ix_risk_alerts_session_id"), "risk_alerts", ["session_id"], unique=False
    )
    op.create_index(
        "ix_risk_alerts_status_raised",
        "risk_alerts",
        ["status", "raised_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_risk_alerts_therapist_id"),
        "risk_alerts",
        ["therapist_id"],
        unique=False,
    )
    op.add_column(
        "session_notes",
        sa.Column(
            "unsupported_claims", sa.Integer(), server_default="0", nullable=False
        ),
    )
    op.add_column(
        "session_notes",
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column("session_notes", sa.Column("signed_by_id", sa.Uuid(), nullable=True))
    op.create_index(
        op.f("ix_session_notes_signed_by_id"),
        "session_notes",
        ["signed_by_id"],
        unique=False,
    )
    op.create_foreign_key(
        op.f("fk_session_notes_signed_by_id_users"),
        "session_notes",
        "users",
        ["signed_by_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_session_notes_signed_by_id_users"), "session_notes", type_="foreignkey"
    )
    op.drop_index(op.f("ix_session_notes_signed_by_id"), table_name="session_notes")
    op.drop_column("session_notes", "signed_by_id")
    op.drop_column("session_notes", "signed_at")
    op.drop_column("session_notes", "unsupported_claims")
    op.drop_index(op.f("ix_risk_alerts_therapist_id"), table_name="risk_alerts")
    op.drop_index("ix_risk_alerts_status_raised", table_name="risk_alerts")
    op.drop_index(op.f("ix_risk_alerts_session_id"), table_name="risk_alerts")
    op.drop_index(op.f("ix_risk_alerts_patient_id"), table_name="risk_alerts")
    op.drop_index(op.f("ix_risk_alerts_notes_id"), table_name="risk_alerts")
    op.drop_index(op.f("ix_risk_alerts_acknowledged_by_id"), table_name="risk_alerts")
    op.drop_table("risk_alerts")
    op.drop_index(op.f("ix_note_addenda_session_id"), table_name="note_addenda")
    op.drop_index(op.f("ix_note_addenda_notes_id"), table_name="note_addenda")
    op.drop_index(op.f("ix_note_addenda_author_id"), table_name="note_addenda")
    op.drop_table("note_addenda")
