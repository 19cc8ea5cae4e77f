from __future__ import annotations

from pathlib import Path

from schema import schema

ROOT = Path(__file__).resolve().parents[1]


def test_schema_graphql_matches_the_code() -> None:
    # when this fails: therapybridge export-schema > schema.graphql
    on_disk = (ROOT / "schema.graphql").read_text()
    assert on_disk == schema.as_str() + "\n"
