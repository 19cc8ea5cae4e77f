"""analytics: stored rows are a cache, invalidated by triggers

Revision ID: 0002_analytics
Revises: 0001
Create Date: 2026-11-22 02:00:00

daily_stats and patient_progress hold precomputed aggregates of closed days and
weeks. Queries use a stored row when it exists and aggregate live otherwise,
so a row must disappear the moment its inputs change (attendance marked the
next day, a session moved or deleted, notes re-extracted, a patient assigned or
unassigned). These triggers delete the affected rows; the next scheduled run
(or `therapybridge aggregate`) writes them again. The rows are keyed by local
dates in SCHEDULER_TIMEZONE, which the database does not know, so the triggers
delete the UTC date and its neighbours: any offset lands within a day of it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_analytics"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
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

DOWNGRADE = [
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
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
