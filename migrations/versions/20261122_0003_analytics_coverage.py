"""analytics: coverage marks, moved back by triggers when inputs change

Revision ID: 0003_analytics_coverage
Revises: 0002_analytics
Create Date: 2026-11-22 02:30:00

daily_stats and patient_progress hold precomputed aggregates of closed days and
weeks. analytics_coverage says, per therapist, up to where they are complete
and current: queries take stored rows before the mark and aggregate sessions
live from the mark on (an index range scan). A stored row must stop counting
the moment its inputs change (attendance marked the next day, a session moved
or deleted, notes re-extracted, a patient assigned or unassigned), so these
triggers (replacing the row-deleting ones of 0002) move the mark back; the next
aggregation recomputes from there and moves it forward again. Stored rows are
keyed by local dates in SCHEDULER_TIMEZONE, which the database does not know,
so the triggers step back one extra day: any UTC offset lands within a day of
the UTC date.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_analytics_coverage"
down_revision: str | None = "0002_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    """
CREATE FUNCTION analytics_invalidate(t uuid, at timestamptz) RETURNS void AS $$
    -- a NULL mark (nothing stored) stays NULL: NULL > x is not true
    UPDATE analytics_coverage c
       SET days_through = CASE WHEN c.days_through > m.day
                               THEN m.day ELSE c.days_through END,
           weeks_through = CASE WHEN c.weeks_through > m.week
                                THEN m.week ELSE c.weeks_through END,
           updated_at = now()
      FROM (SELECT (at AT TIME ZONE 'UTC')::date - 1 AS day,
                   date_trunc('week', (at AT TIME ZONE 'UTC') - interval '1 day')::date
                       AS week) m
     WHERE c.therapist_id = t
       AND (c.days_through > m.day OR c.weeks_through > m.week);
$$ LANGUAGE sql
""",
    """
CREATE FUNCTION analytics_session_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM analytics_invalidate(OLD.therapist_id, OLD.session_date);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM analytics_invalidate(NEW.therapist_id, NEW.session_date);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    # status changes (the pipeline) do not touch the figures: not listed
    """
CREATE TRIGGER therapy_sessions_analytics
AFTER INSERT OR DELETE OR UPDATE OF
    session_date, attendance, duration_minutes, therapist_id, patient_id
ON therapy_sessions FOR EACH ROW EXECUTE FUNCTION analytics_session_changed()
""",
    """
CREATE FUNCTION analytics_metrics_changed() RETURNS trigger AS $$
DECLARE
    sid uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.session_id ELSE NEW.session_id END;
BEGIN
    PERFORM analytics_invalidate(s.therapist_id, s.session_date)
       FROM therapy_sessions s WHERE s.id = sid;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER session_metrics_analytics
AFTER INSERT OR DELETE OR UPDATE OF mood_score, topics, session_id
ON session_metrics FOR EACH ROW EXECUTE FUNCTION analytics_metrics_changed()
""",
    # a therapist's practice is the patients assigned to them: a change of
    # assignment can change any of their days (patient_progress rows are per
    # patient and filtered when read, so they stay valid)
    """
CREATE FUNCTION analytics_assignment_changed() RETURNS trigger AS $$
BEGIN
    UPDATE analytics_coverage SET days_through = NULL, updated_at = now()
     WHERE therapist_id IN (OLD.therapist_id, NEW.therapist_id)
       AND days_through IS NOT NULL;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER patient_therapists_analytics_ins
AFTER INSERT ON patient_therapists
FOR EACH ROW EXECUTE FUNCTION analytics_assignment_changed()
""",
    """
CREATE TRIGGER patient_therapists_analytics_del
AFTER DELETE ON patient_therapists
FOR EACH ROW EXECUTE FUNCTION analytics_assignment_changed()
""",
]

DOWNGRADE = [
    "DROP TRIGGER IF EXISTS patient_therapists_analytics_del ON patient_therapists",
    "DROP TRIGGER IF EXISTS patient_therapists_analytics_ins ON patient_therapists",
    "DROP FUNCTION IF EXISTS analytics_assignment_changed()",
    "DROP TRIGGER IF EXISTS session_metrics_analytics ON session_metrics",
    "DROP FUNCTION IF EXISTS analytics_metrics_changed()",
    "DROP TRIGGER IF EXISTS therapy_sessions_analytics ON therapy_sessions",
    "DROP FUNCTION IF EXISTS analytics_session_changed()",
    "DROP FUNCTION IF EXISTS analytics_invalidate(uuid, timestamptz)",
]


# 0002's triggers, restored by the downgrade
OLD_UPGRADE = [
    """
CREATE FUNCTION analytics_invalidate(t uuid, p uuid, at timestamptz)
RETURNS void AS $$
    DELETE FROM daily_stats
     WHERE therapist_id = t
       AND stat_date BETWEEN (at AT TIME ZONE 'UTC')::date - 1
                         AND (at AT TIME ZONE 'UTC')::date + 1;
    DELETE FROM patient_progress
     WHERE patient_id = p
       AND week_start_date
           BETWEEN date_trunc('week', (at AT TIME ZONE 'UTC') - interval '1 day')::date
               AND date_trunc('week', (at AT TIME ZONE 'UTC') + interval '1 day')::date;
$$ LANGUAGE sql
""",
    """
CREATE FUNCTION analytics_session_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM analytics_invalidate(
            OLD.therapist_id, OLD.patient_id, OLD.session_date);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM analytics_invalidate(
            NEW.therapist_id, NEW.patient_id, NEW.session_date);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    # status changes (the pipeline) do not touch the figures: not listed
    """
CREATE TRIGGER therapy_sessions_analytics
AFTER INSERT OR DELETE OR UPDATE OF
    session_date, attendance, duration_minutes, therapist_id, patient_id
ON therapy_sessions FOR EACH ROW EXECUTE FUNCTION analytics_session_changed()
""",
    """
CREATE FUNCTION analytics_metrics_changed() RETURNS trigger AS $$
DECLARE
    sid uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.session_id ELSE NEW.session_id END;
BEGIN
    PERFORM analytics_invalidate(s.therapist_id, s.patient_id, s.session_date)
       FROM therapy_sessions s WHERE s.id = sid;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER session_metrics_analytics
AFTER INSERT OR DELETE OR UPDATE OF mood_score, topics, session_id
ON session_metrics FOR EACH ROW EXECUTE FUNCTION analytics_metrics_changed()
""",
    # a therapist's practice is the patients assigned to them: any change of
    # assignment can change any of their days
    """
CREATE FUNCTION analytics_assignment_changed() RETURNS trigger AS $$
BEGIN
    DELETE FROM daily_stats WHERE therapist_id IN (OLD.therapist_id, NEW.therapist_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER patient_therapists_analytics_ins
AFTER INSERT ON patient_therapists
FOR EACH ROW EXECUTE FUNCTION analytics_assignment_changed()
""",
    """
CREATE TRIGGER patient_therapists_analytics_del
AFTER DELETE ON patient_therapists
FOR EACH ROW EXECUTE FUNCTION analytics_assignment_changed()
""",
]

OLD_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS patient_therapists_analytics_del ON patient_therapists",
    "DROP TRIGGER IF EXISTS patient_therapists_analytics_ins ON patient_therapists",
    "DROP FUNCTION IF EXISTS analytics_assignment_changed()",
    "DROP TRIGGER IF EXISTS session_metrics_analytics ON session_metrics",
    "DROP FUNCTION IF EXISTS analytics_metrics_changed()",
    "DROP TRIGGER IF EXISTS therapy_sessions_analytics ON therapy_sessions",
    "DROP FUNCTION IF EXISTS analytics_session_changed()",
    "DROP FUNCTION IF EXISTS analytics_invalidate(uuid, uuid, timestamptz)",
]


def upgrade() -> None:
    for statement in OLD_DOWNGRADE:
        op.execute(statement)
    op.create_table(
        "analytics_coverage",
        sa.Column("therapist_id", sa.Uuid(), nullable=False),
        sa.Column("days_through", sa.Date(), nullable=True),
        sa.Column("weeks_through", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["users.id"],
            name=op.f("fk_analytics_coverage_therapist_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("therapist_id", name=op.f("pk_analytics_coverage")),
    )
    op.create_index(
        op.f("ix_analytics_coverage_therapist_id"),
        "analytics_coverage",
        ["therapist_id"],
        unique=False,
    )
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
    op.drop_index(
        op.f("ix_analytics_coverage_therapist_id"), table_name="analytics_coverage"
    )
    op.drop_table("analytics_coverage")
    for statement in OLD_UPGRADE:
        op.execute(statement)
