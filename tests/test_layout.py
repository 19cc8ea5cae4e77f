from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["app", "schema", "resolvers", "services", "db"]


def test_schema_package_is_ours_not_the_pypi_one() -> None:
    import schema

    assert schema.__file__ is not None
    assert Path(schema.__file__).resolve().parent == ROOT / "schema"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
    return found


def test_imports_go_one_way_only() -> None:
    # app -> schema -> resolvers -> services -> db; nothing imports upward
    violations = []
    for i, layer in enumerate(LAYERS[1:], start=1):
        above = set(LAYERS[:i])
        for path in (ROOT / layer).rglob("*.py"):
            bad = _imports(path) & above
            if bad:
                violations.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    settings_imports = _imports(ROOT / "settings.py") & set(LAYERS)
    assert not violations
    assert not settings_imports
