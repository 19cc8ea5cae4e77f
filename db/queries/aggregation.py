"""Analytics writes: the stored rows of closed days and weeks (idempotent).

Each statement upserts the fresh aggregate of its range and deletes the stored
rows of that range that no longer have sessions (a data-modifying WITH always
runs to completion, whether or not the outer statement reads it).

The same definitions as the live aggregation in db/queries/analytics.py: a
therapist's day counts the sessions they hold with patients assigned to them;
a patient's week counts their sessions that were not cancelled or missed, with
each topic counted once per session (lower-cased, spaces trimmed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.analytics import Frame, monday_of

_DAILY = text(
    """
WITH fresh AS (
    SELECT s.therapist_id,
           (s.session_date AT TIME ZONE :tz)::date AS day,
           count(*) AS total,
           count(*) FILTER (WHERE s.attendance = 'COMPLETED') AS completed,
           count(*) FILTER (WHERE s.attendance = 'CANCELLED') AS cancelled,
           count(*) FILTER (WHERE s.attendance = 'NO_SHOW') AS no_show,
           coalesce(sum(s.duration_minutes) FILTER (
               WHERE s.attendance = 'COMPLETED'), 0) AS dur_sum,
           count(s.duration_minutes) FILTER (
               WHERE s.attendance = 'COMPLETED') AS dur_count
      FROM therapy_sessions s
      JOIN patient_therapists pt
        ON pt.patient_id = s.patient_id AND pt.therapist_id = s.therapist_id
     WHERE s.session_date >= :start_ts AND s.session_date < :end_ts
     GROUP BY 1, 2
), upserted AS (
    INSERT INTO daily_stats (id, therapist_id, stat_date, sessions_total,
        sessions_completed, sessions_cancelled, sessions_no_show,
        total_duration_minutes, duration_count, computed_at)
    SELECT gen_random_uuid(), therapist_id, day, total, completed, cancelled,
           no_show, dur_sum, dur_count, now()
      FROM fresh
    ON CONFLICT (therapist_id, stat_date) DO UPDATE SET
        sessions_total = EXCLUDED.sessions_total,
        sessions_completed = EXCLUDED.sessions_completed,
        sessions_cancelled = EXCLUDED.sessions_cancelled,
        sessions_no_show = EXCLUDED.sessions_no_show,
        total_duration_minutes = EXCLUDED.total_duration_minutes,
        duration_count = EXCLUDED.duration_count,
        computed_at = EXCLUDED.computed_at
)
DELETE FROM daily_stats d
 WHERE d.stat_date >= :start AND d.stat_date < :end
   AND NOT EXISTS (SELECT 1 FROM fresh f
                    WHERE f.therapist_id = d.therapist_id AND f.day = d.stat_date)
"""
)

_WEEKLY = text(
    """
WITH s AS (
    SELECT s.id, s.patient_id, s.therapist_id,
           date_trunc('week', s.session_date AT TIME ZONE :tz)::date AS week,
           s.attendance IN ('COMPLETED', 'SCHEDULED') AS counted,
           m.mood_score, m.topics
      FROM therapy_sessions s
      LEFT JOIN session_metrics m ON m.session_id = s.id
     WHERE s.session_date >= :start_ts AND s.session_date < :end_ts
), base AS (
    SELECT patient_id, therapist_id, week,
           count(*) FILTER (WHERE counted) AS sessions,
           coalesce(sum(mood_score) FILTER (WHERE counted), 0) AS mood_sum,
           count(mood_score) FILTER (WHERE counted) AS mood_count
      FROM s GROUP BY 1, 2, 3
), named AS (
    SELECT DISTINCT s.id, s.patient_id, s.therapist_id, s.week,
           lower(btrim(t.value)) AS topic
      FROM s CROSS JOIN LATERAL jsonb_array_elements_text(
               CASE WHEN jsonb_typeof(s.topics) = 'array'
                    THEN s.topics ELSE '[]'::jsonb END) AS t(value)
     WHERE s.counted
), tp AS (
    SELECT patient_id, therapist_id, week,
           jsonb_object_agg(topic, n) AS topics
      FROM (SELECT patient_id, therapist_id, week, topic, count(*) AS n
              FROM named WHERE topic <> '' GROUP BY 1, 2, 3, 4) x
     GROUP BY 1, 2, 3
), fresh AS (
    SELECT b.*, coalesce(tp.topics, '{}'::jsonb) AS topics
      FROM base b LEFT JOIN tp USING (patient_id, therapist_id, week)
), upserted AS (
    INSERT INTO patient_progress (id, patient_id, therapist_id, week_start_date,
        sessions_count, mood_sum, mood_count, topics, computed_at)
    SELECT gen_random_uuid(), patient_id, therapist_id, week, sessions,
           mood_sum, mood_count, topics, now()
      FROM fresh
    ON CONFLICT (patient_id, therapist_id, week_start_date) DO UPDATE SET
        sessions_count = EXCLUDED.sessions_count,
        mood_sum = EXCLUDED.mood_sum,
        mood_count = EXCLUDED.mood_count,
        topics = EXCLUDED.topics,
        computed_at = EXCLUDED.computed_at
)
DELETE FROM patient_progress p
 WHERE p.week_start_date >= :start AND p.week_start_date < :end
   AND NOT EXISTS (SELECT 1 FROM fresh f
                    WHERE f.patient_id = p.patient_id
                      AND f.therapist_id = p.therapist_id
                      AND f.week = p.week_start_date)
"""
)


_COVER = {
    col: (
        text(
            f"""
INSERT INTO analytics_coverage (therapist_id, {col}, updated_at)
SELECT DISTINCT therapist_id, CAST(:end AS date), now() FROM patient_therapists
ON CONFLICT (therapist_id) DO UPDATE
   SET {col} = EXCLUDED.{col}, updated_at = EXCLUDED.updated_at
"""
        ),
        text(
            f"""
UPDATE analytics_coverage SET {col} = :end, updated_at = now()
 WHERE {col} >= :start AND {col} < :end
"""
        ),
    )
    for col in ("days_through", "weeks_through")
}


async def _cover(
    db: AsyncSession, col: str, start: date, end: date, complete: bool
) -> None:
    """Move the coverage marks forward to ``end``: every practice's when the
    rows were written from the very first session on (``complete``), else the
    marks that already reached ``start`` (no gap may be claimed)."""
    everyone, reached = _COVER[col]
    stmt = everyone if complete else reached
    await db.execute(stmt, {"start": start, "end": end})


async def store_days(
    db: AsyncSession, frame: Frame, start: date, end: date, complete: bool
) -> date | None:
    """Write daily_stats for the closed local days in [start, end) and move
    the coverage marks; returns the end (today at most), or None."""
    end = min(end, frame.today)
    return await _store(db, _DAILY, "days_through", frame, start, end, complete)


async def store_weeks(
    db: AsyncSession, frame: Frame, start: date, end: date, complete: bool
) -> date | None:
    """Write patient_progress for the closed local weeks starting in
    [monday of start, end); the current week is never written."""
    start, end = monday_of(start), min(monday_of(end), frame.monday)
    return await _store(db, _WEEKLY, "weeks_through", frame, start, end, complete)


async def _store(
    db: AsyncSession,
    statement: Any,
    mark: str,
    frame: Frame,
    start: date,
    end: date,
    complete: bool,
) -> date | None:
    """Run one aggregation statement over [start, end) and move ``mark``."""
    if start >= end:
        return None
    await db.execute(
        statement,
        {
            "tz": frame.tz,
            "start": start,
            "end": end,
            "start_ts": frame.instant(start),
            "end_ts": frame.instant(end),
        },
    )
    await _cover(db, mark, start, end, complete)
    return end


async def lowest_mark(db: AsyncSession, col: str) -> tuple[bool, date | None]:
    """(some practice has no mark, the lowest mark) over practising therapists."""
    assert col in ("days_through", "weeks_through")
    row = (
        await db.execute(
            text(
                f"""
SELECT bool_or(c.{col} IS NULL), min(c.{col})
  FROM (SELECT DISTINCT therapist_id FROM patient_therapists) p
  LEFT JOIN analytics_coverage c USING (therapist_id)
"""
            )
        )
    ).one()
    return bool(row[0]), row[1]


async def first_session_day(db: AsyncSession, frame: Frame) -> date | None:
    first = await db.scalar(text("SELECT min(session_date) FROM therapy_sessions"))
    return first.astimezone(frame.zone).date() if first else None


async def analyze(db: AsyncSession) -> None:
    await db.execute(text("ANALYZE daily_stats, patient_progress, analytics_coverage"))
