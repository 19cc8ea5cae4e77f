from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.ids import encode_id
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_patient,
    create_session,
    create_user,
    days,
    token_for,
    utc,
)

PATIENTS = """
query($first: Int, $after: String, $last: Int, $before: String, $search: String) {
  patients(first: $first, after: $after, last: $last, before: $before,
           search: $search) {
    totalCount
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
NESTED = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  patient(id: $id) {
    sessions(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { node { id sessionDate } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""
SESSIONS_RANGE = """
query($from: DateTime, $to: DateTime) { sessions(from: $from, to: $to) { totalCount } }
"""


async def _walk(
    gql: GQL, query: str, token: str, pick: Any, backwards: bool, **extra: Any
) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        if backwards:
            variables = {"last": 4, "before": cursor, **extra}
        else:
            variables = {"first": 4, "after": cursor, **extra}
        body = await gql(query, variables, token=token)
        conn = pick(body["data"])
        ids = [e["node"]["id"] for e in conn["edges"]]
        seen = ids + seen if backwards else seen + ids
        info = conn["pageInfo"]
        if not (info["hasPreviousPage"] if backwards else info["hasNextPage"]):
            return seen
        cursor = info["startCursor"] if backwards else info["endCursor"]


async def test_patients_paginate_to_the_end_both_ways_each_once(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    # equal names: the id breaks the tie, so no patient is skipped or repeated
    created = [await create_patient(db, therapist, name=f"N{i % 3}") for i in range(11)]
    token = token_for(settings, therapist)

    forwards = await _walk(gql, PATIENTS, token, lambda d: d["patients"], False)
    backwards = await _walk(gql, PATIENTS, token, lambda d: d["patients"], True)

    expected = {encode_id("Patient", p.id) for p in created}
    assert len(forwards) == 11
    assert set(forwards) == expected
    assert backwards == forwards


async def test_nested_sessions_paginate_newest_first_both_ways(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    other = await create_patient(db, therapist)
    sessions = [
        await create_session(db, patient, therapist, utc(2026, 1, 1) + days(i // 2))
        for i in range(10)
    ]
    await create_session(db, other, therapist)
    token = token_for(settings, therapist)
    pid = encode_id("Patient", patient.id)

    def pick(d: dict[str, Any]) -> Any:
        return d["patient"]["sessions"]

    forwards = await _walk(gql, NESTED, token, pick, False, id=pid)
    backwards = await _walk(gql, NESTED, token, pick, True, id=pid)

    newest_first = sorted(sessions, key=lambda s: (s.session_date, s.id), reverse=True)
    assert forwards == [encode_id("TherapySession", s.id) for s in newest_first]
    assert backwards == forwards


async def test_page_size_and_date_range_are_validated(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    token = token_for(settings, therapist)

    too_many = await gql(PATIENTS, {"first": 101}, token=token)
    bad_range = await gql(
        SESSIONS_RANGE,
        {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        token=token,
    )

    assert error_codes(too_many) == ["BAD_USER_INPUT"]
    assert too_many["errors"][0]["extensions"]["field"] == "first"
    assert error_codes(bad_range) == ["BAD_USER_INPUT"]
    assert bad_range["errors"][0]["extensions"]["field"] == "from"


async def test_search_matches_word_prefixes_of_name_and_email(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    ada = await create_patient(db, therapist, name="Ada Lovelace", email="ada@x.org")
    await create_patient(db, therapist, name="Alan Turing", email="alan@y.org")
    token = token_for(settings, therapist)

    async def names(search: str) -> list[str]:
        body = await gql(PATIENTS, {"search": search}, token=token)
        assert "errors" not in body, body
        return [e["node"]["name"] for e in body["data"]["patients"]["edges"]]

    assert await names("LOVE") == [ada.name]
    assert await names("ada lov") == [ada.name]
    assert await names("a") == ["Ada Lovelace", "Alan Turing"]
    assert await names("alan@") == ["Alan Turing"]
    assert await names("x' & !(|):* \\") == []
    assert await names("zzz") == []


ONE_FIELD_REFUSED = """
query($s: ID!) {
  me { id }
  session(id: $s) { id notes { keyTopics } }
  patients(first: 10) { edges { node { id
    recent: sessions(first: 2) { edges { node { id notes { keyTopics } } } }
    wrong: sessions(from: "2026-03-01T00:00:00Z", to: "2026-01-01T00:00:00Z") {
      edges { node { id } } } } } }
  node(id: $s) { id ... on TherapySession { sessionDate } }
}
"""


async def test_a_refused_argument_beside_loading_fields_is_bad_user_input(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    """One field refuses its arguments while sibling fields are reading from
    the database: graphql-core cancels those siblings, and a statement
    cancelled half-way left the request's connection unusable (the audit
    write then failed: INTERNAL_SERVER_ERROR). Whether a sibling is half-way
    is a matter of timing here; tests/db/test_serialized_session.py cancels
    one mid-statement every time. The answer names the argument
    (BAD_USER_INPUT) and the next request is served as usual."""
    therapist = await create_user(db)
    first = None
    for n in range(3):
        patient = await create_patient(db, therapist, name=f"Patient {n}")
        for d in range(3):
            row = await create_session(db, patient, therapist, utc(2026, 1, 5 + d, 10))
            first = first or row
    await db.commit()
    assert first is not None
    token = token_for(settings, therapist)
    sid = encode_id("TherapySession", first.id)

    for _ in range(3):
        body = await gql(ONE_FIELD_REFUSED, {"s": sid}, token=token)
        assert set(error_codes(body)) == {"BAD_USER_INPUT"}, body
    again = await gql(PATIENTS, {"first": 10}, token=token)
    assert "errors" not in again, again
    assert len(again["data"]["patients"]["edges"]) == 3


FILTERED_PAGES = """
query($after: String) { patients(first: 10) { edges { node { name
  done: sessions(status: PROCESSED) { edges { node { sessionDate } } }
  january: sessions(from: "2026-01-01T00:00:00Z", to: "2026-01-31T23:59:59Z") {
    edges { node { sessionDate } } }
  next: sessions(first: 1, after: $after, status: PROCESSED) {
    edges { cursor node { sessionDate } } pageInfo { hasNextPage } } } } } }
"""


def _dates(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["sessionDate"][:10] for e in connection["edges"]]


async def test_nested_pages_filter_and_page_with_their_own_values(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    """A page's statement is built once per shape and reused with each
    request's values (filters, cursor, size, caller): two therapists with the
    same query each get their own patients' sessions, filtered as asked."""
    from db.enums import SessionStatus

    answers = []
    for n in range(2):
        therapist = await create_user(db)
        patient = await create_patient(db, therapist, name=f"Only {n}")
        for day, status in (
            (5, SessionStatus.PROCESSED),
            (12, SessionStatus.FAILED),
            (20 + n, SessionStatus.PROCESSED),
        ):
            await create_session(
                db, patient, therapist, utc(2026, 1, day, 10), status=status
            )
        await create_session(db, patient, therapist, utc(2026, 2, 2, 10))
        await db.commit()
        token = token_for(settings, therapist)
        first = await gql(FILTERED_PAGES, {"after": None}, token=token)
        assert "errors" not in first, first
        (edge,) = first["data"]["patients"]["edges"]
        cursor = edge["node"]["next"]["edges"][0]["cursor"]
        second = await gql(FILTERED_PAGES, {"after": cursor}, token=token)
        answers.append((edge["node"], second["data"]["patients"]["edges"][0]["node"]))

    for n, (page, after) in enumerate(answers):
        late = f"2026-01-{20 + n}"
        assert page["name"] == f"Only {n}"
        assert _dates(page["done"]) == ["2026-02-02", late, "2026-01-05"]
        assert _dates(page["january"]) == [late, "2026-01-12", "2026-01-05"]
        assert _dates(page["next"]) == ["2026-02-02"]
        assert page["next"]["pageInfo"]["hasNextPage"] is True
        assert _dates(after["next"]) == [late]
