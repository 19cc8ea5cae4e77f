"""The two baselines of scenario (a), served by a bare Starlette app on uvicorn.

- ``/floor``: one hand-written SQL statement builds the whole nested JSON in
  PostgreSQL (json_agg with LATERAL); the bytes go out untouched. Note content is
  encrypted at rest and PostgreSQL has no key, so the floor ships the ciphertext
  where the server ships decrypted fields: the floor is a true lower bound.
- ``/ideal``: one asyncpg query per nesting level, decrypted and assembled in
  plain Python, encoded with orjson: what a hand-tuned server could do.

Run: ``uvicorn bench.baseline:app`` with DATABASE_URL and BENCH_THERAPIST_ID set.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db.encryption import get_keyring
from db.engine import to_libpq_url

PATIENTS = 50
SESSIONS = 10

FLOOR_SQL = """
SELECT json_build_object('data', json_build_object('patients', json_build_object(
  'edges', coalesce(json_agg(json_build_object('node', json_build_object(
     'id', p.id, 'name', p.name,
     'sessions', json_build_object('edges', s.edges))) ORDER BY p.name, p.id), '[]'))))
FROM (
  SELECT p.id, p.name FROM patients p
  JOIN patient_therapists pt ON pt.patient_id = p.id
  WHERE pt.therapist_id = $1 AND p.archived_at IS NULL
  ORDER BY p.name, p.id LIMIT $2
) p
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object('node', json_build_object(
      'id', s.id, 'sessionDate', s.session_date, 'notes', n.obj))
      ORDER BY s.session_date DESC, s.id DESC), '[]') AS edges
  FROM (
    SELECT id, session_date FROM therapy_sessions
    WHERE patient_id = p.id ORDER BY session_date DESC, id DESC LIMIT $3
  ) s
  LEFT JOIN LATERAL (
    SELECT json_build_object('sessionMood', n.session_mood, 'content', n.content) AS obj
    FROM session_notes n WHERE n.session_id = s.id ORDER BY n.version DESC LIMIT 1
  ) n ON true
) s
"""

PATIENTS_SQL = """
SELECT p.id, p.name FROM patients p
JOIN patient_therapists pt ON pt.patient_id = p.id
WHERE pt.therapist_id = $1 AND p.archived_at IS NULL
ORDER BY p.name, p.id LIMIT $2
"""
SESSIONS_SQL = """
SELECT id, patient_id, session_date FROM (
  SELECT id, patient_id, session_date, row_number() OVER (
    PARTITION BY patient_id ORDER BY session_date DESC, id DESC) AS rn
  FROM therapy_sessions WHERE patient_id = ANY($1::uuid[])
) t WHERE rn <= $2
"""
NOTES_SQL = """
SELECT DISTINCT ON (session_id) session_id, session_mood, content
FROM session_notes WHERE session_id = ANY($1::uuid[])
ORDER BY session_id, version DESC
"""

state: dict[str, Any] = {}


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    state["pool"] = await asyncpg.create_pool(
        to_libpq_url(os.environ["DATABASE_URL"]), min_size=2, max_size=10
    )
    state["therapist"] = uuid.UUID(os.environ["BENCH_THERAPIST_ID"])
    yield
    await state["pool"].close()


async def floor(request: Request) -> Response:
    async with state["pool"].acquire() as conn:
        raw = await conn.fetchval(FLOOR_SQL, state["therapist"], PATIENTS, SESSIONS)
    return Response(raw, media_type="application/json")


async def ideal(request: Request) -> Response:
    keyring = get_keyring()
    async with state["pool"].acquire() as conn:
        patients = await conn.fetch(PATIENTS_SQL, state["therapist"], PATIENTS)
        pids = [p["id"] for p in patients]
        sessions = await conn.fetch(SESSIONS_SQL, pids, SESSIONS)
        notes = await conn.fetch(NOTES_SQL, [s["id"] for s in sessions])
    by_session: dict[uuid.UUID, dict[str, Any]] = {}
    for n in notes:
        content = orjson.loads(keyring.decrypt(n["content"]))
        by_session[n["session_id"]] = {
            "keyTopics": content["key_topics"],
            "sessionMood": n["session_mood"],
            "topicSummary": content["topic_summary"],
        }
    by_patient: dict[uuid.UUID, list[dict[str, Any]]] = {pid: [] for pid in pids}
    for s in sorted(sessions, key=lambda r: (r["session_date"], r["id"]), reverse=True):
        by_patient[s["patient_id"]].append(
            {
                "node": {
                    "id": str(s["id"]),
                    "sessionDate": s["session_date"].isoformat(),
                    "notes": by_session.get(s["id"]),
                }
            }
        )
    body = {
        "data": {
            "patients": {
                "edges": [
                    {
                        "node": {
                            "id": str(p["id"]),
                            "name": p["name"],
                            "sessions": {"edges": by_patient[p["id"]]},
                        }
                    }
                    for p in patients
                ]
            }
        }
    }
    return Response(orjson.dumps(body), media_type="application/json")


app = Starlette(
    routes=[Route("/floor", floor), Route("/ideal", ideal)], lifespan=lifespan
)
