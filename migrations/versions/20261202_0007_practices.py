"""practices, invitations, patient consent

Revision ID: 0007_practices
Revises: 0006_i19_persisted_documents
Create Date: 2026-12-02 14:00:00

Every user and every patient now belongs to one practice (workspace). The
existing data moves into one "Default practice" (a fixed id, also used by
`create-admin`). Invitations are single-use links (stored as SHA-256) that
create an account in a practice. patient_consents is append-only, like the
audit trail: every grant and withdrawal is kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_practices"
down_revision: str | None = "0006_i19_persisted_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_PRACTICE_ID = "00000000-0000-4000-8000-000000000001"

CONSENT_APPEND_ONLY = [
    """
CREATE FUNCTION patient_consents_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'patient_consents is append-only'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
""",
    # a patient's deletion cascades: only UPDATE and TRUNCATE are refused
    # outright; a DELETE is allowed only through the cascade from patients
    """
CREATE TRIGGER patient_consents_append_only
    BEFORE UPDATE OR TRUNCATE ON patient_consents
    FOR EACH STATEMENT EXECUTE FUNCTION patient_consents_refuse_change()
""",
]


def upgrade() -> None:
    op.create_table(
        "practices",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practices")),
    )
    op.execute(
        "INSERT INTO practices (id, name) "
        f"VALUES ('{DEFAULT_PRACTICE_ID}', 'Default practice')"
    )
    for table in ("users", "patients"):
        op.add_column(table, sa.Column("practice_id", sa.Uuid(), nullable=True))
        op.execute(f"UPDATE {table} SET practice_id = '{DEFAULT_PRACTICE_ID}'")
        op.alter_column(table, "practice_id", nullable=False)
        op.create_index(op.f(f"ix_{table}_practice_id"), table, ["practice_id"])
        op.create_foreign_key(
            op.f(f"fk_{table}_practice_id_practices"),
            table,
            "practices",
            ["practice_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    op.add_column(
        "users",
        sa.Column(
            "is_practice_admin",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
    )

    op.create_table(
        "invitations",
        sa.Column("practice_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "THERAPIST",
                "PATIENT",
                "ADMIN",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("invited_by_id", sa.Uuid(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_invitations_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_invitations_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index(
        op.f("ix_invitations_invited_by_id"), "invitations", ["invited_by_id"]
    )
    op.create_index(op.f("ix_invitations_patient_id"), "invitations", ["patient_id"])
    op.create_index(op.f("ix_invitations_practice_id"), "invitations", ["practice_id"])
    op.create_index(
        "ix_invitations_practice_email", "invitations", ["practice_id", "email"]
    )

    op.create_table(
        "patient_consents",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "RECORDING",
                "AI_PROCESSING",
                name="consentkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("form_version", sa.String(length=64), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_consents_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_patient_consents_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_consents")),
    )
    op.create_index(
        op.f("ix_patient_consents_patient_id"), "patient_consents", ["patient_id"]
    )
    op.create_index(
        op.f("ix_patient_consents_recorded_by_id"),
        "patient_consents",
        ["recorded_by_id"],
    )
    op.create_index(
        "ix_patient_consents_current",
        "patient_consents",
        ["patient_id", "kind", "recorded_at"],
    )
    for statement in CONSENT_APPEND_ONLY:
        op.execute(statement)
    # a PATIENT's export of their own record
    _export_kinds("'SESSION_NOTES', 'PROGRESS_REPORT', 'PATIENT_RECORD'")


def _export_kinds(values: str) -> None:
    op.execute("ALTER TABLE export_jobs DROP CONSTRAINT ck_export_jobs_exportkind")
    op.execute(
        "ALTER TABLE export_jobs ADD CONSTRAINT ck_export_jobs_exportkind "
        f"CHECK (kind IN ({values}))"
    )


def downgrade() -> None:
    op.execute("DELETE FROM export_jobs WHERE kind = 'PATIENT_RECORD'")
    _export_kinds("'SESSION_NOTES', 'PROGRESS_REPORT'")
    op.execute(
        "DROP TRIGGER IF EXISTS patient_consents_append_only ON patient_consents"
    )
    op.execute("DROP FUNCTION IF EXISTS patient_consents_refuse_change()")
    op.drop_table("patient_consents")
    op.drop_table("invitations")
    op.drop_column("users", "is_practice_admin")
    for table in ("patients", "users"):
        op.drop_constraint(
            op.f(f"fk_{table}_practice_id_practices"), table, type_="foreignkey"
        )
        op.drop_index(op.f(f"ix_{table}_practice_id"), table_name=table)
        op.drop_column(table, "practice_id")
    op.drop_table("practices")
