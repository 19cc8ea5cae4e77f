""" "May this user read X" has one answer per entity: the ``readable_*`` /
``can_read_*`` lookups and builders of db/queries/scoping.py, and their
NOT_FOUND variants in services/access.py. A second definition anywhere else
fails here, and the raising variants keep today's messages."""

from __future__ import annotations

import ast
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import RiskSeverity
from db.models import RiskAlert
from db.queries import scoping
from services import access
from services.errors import NotFound
from tests.factories import create_patient, create_plan, create_session, create_user

ROOT = Path(__file__).resolve().parents[2]
NOT_OURS = {".venv", ".data", "build", ".git", "node_modules", "tests", "migrations"}
QUESTION = re.compile(
    r"^_?(readable_\w+|is_\w*readable\w*|\w+_readable|can_read_\w+|may_read_\w+)$"
)
RAISING = re.compile(r"^_?\w+_or_not_found$")


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions and the functions nested in them (a class's
    methods, such as a notice's ``readable_by``, are the object's own)."""
    found: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(node)
            todo.extend(node.body)
        elif not isinstance(node, ast.ClassDef):
            todo.extend(ast.iter_child_nodes(node))
    return found


def _definitions(pattern: re.Pattern[str]) -> dict[str, list[str]]:
    """Every matching definition of our code (tests aside), by name."""
    out: dict[str, list[str]] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if NOT_OURS & set(rel.parts):
            continue
        for fn in _functions(ast.parse(path.read_text())):
            if pattern.match(fn.name):
                out.setdefault(fn.name, []).append(f"{rel.as_posix()}:{fn.lineno}")
    return out


def test_every_may_read_question_is_answered_in_scoping_only() -> None:
    found = _definitions(QUESTION)
    elsewhere = {
        name: places
        for name, places in found.items()
        if any(not p.startswith("db/queries/scoping.py:") for p in places)
    }
    assert elsewhere == {}
    # the pattern sees the answers themselves (a rename would blind it)
    assert {"readable_patient", "readable_session", "readable_patients"} <= set(found)
    assert "can_read_patient_audit" in found


def test_not_found_variants_live_in_services_access_only() -> None:
    found = _definitions(RAISING)
    elsewhere = [
        p
        for places in found.values()
        for p in places
        if not p.startswith("services/access.py:")
    ]
    assert elsewhere == []
    assert {"patient_or_not_found", "session_or_not_found"} <= set(found)


PLAN = "TreatmentPlan"
Lookup = Callable[[AsyncSession, Any, Any], Awaitable[Any]]


async def test_another_owners_row_is_not_found_with_the_same_message(
    db: AsyncSession,
) -> None:
    a = await create_user(db)
    b = await create_user(db)
    pa = await create_patient(db, a)
    pb = await create_patient(db, b)
    sa = await create_session(db, pa, a)
    sb = await create_session(db, pb, b)
    plan_a = await create_plan(db, pa)
    plan_b = await create_plan(db, pb)
    alerts: list[RiskAlert] = []
    for patient, session, therapist in ((pa, sa, a), (pb, sb, b)):
        alert = RiskAlert(
            session_id=session.id,
            patient_id=patient.id,
            therapist_id=therapist.id,
            severity=RiskSeverity.HIGH,
        )
        db.add(alert)
        alerts.append(alert)
    await db.flush()
    alert_a, alert_b = alerts

    async def locked_session(db: AsyncSession, user: Any, sid: Any) -> Any:
        return await access.session_or_not_found(db, user, sid, lock=True)

    async def locked_alert(db: AsyncSession, user: Any, aid: Any) -> Any:
        return await access.alert_or_not_found(db, user, aid, lock=True)

    cases: list[tuple[Lookup, Lookup, Any, Any, str]] = [
        (access.patient_or_not_found, scoping.readable_patient, pa, pb, "Patient"),
        (access.session_or_not_found, scoping.readable_session, sa, sb, "Session"),
        (locked_session, scoping.readable_session, sa, sb, "Session"),
        (access.plan_or_not_found, scoping.readable_plan, plan_a, plan_b, PLAN),
        (
            access.alert_or_not_found,
            scoping.readable_alert,
            alert_a,
            alert_b,
            "RiskAlert",
        ),
        (locked_alert, scoping.readable_alert, alert_a, alert_b, "RiskAlert"),
    ]
    for raising, lookup, own, other, what in cases:
        assert (await raising(db, a, own.id)) is own
        assert (await lookup(db, a, own.id)) is own
        assert (await lookup(db, a, other.id)) is None
        with pytest.raises(NotFound) as err:
            await raising(db, a, other.id)
        assert err.value.message == f"{what} not found"
        assert err.value.as_extensions() == {"code": "NOT_FOUND"}
    assert await scoping.can_read_patient_audit(db, a, pa.id)
    assert not await scoping.can_read_patient_audit(db, a, pb.id)
