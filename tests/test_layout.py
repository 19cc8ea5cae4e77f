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


# first-party top-level modules and packages
OURS = {"app", "settings", "cli", *LAYERS, "migrations", "tests", "bench"}
NOT_OURS = {".venv", ".data", "build", ".git", "node_modules"}
# underscore names imported from another module before this test existed;
# this list may only shrink (each is a name to make public or a use to drop)
KNOWN_PRIVATE_IMPORTS = {
    "cli/ops.py: settings._decode_key",
    "db/encryption.py: settings._decode_key",
    "tests/schema/test_leaf_records.py: schema.types.transcript._segment",
}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _private_imports(path: Path) -> set[str]:
    """``from ours import _name`` and ``module._name`` on a module of ours."""
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text())
    modules: dict[str, str] = {}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in OURS:
                continue
            for alias in node.names:
                if _is_private(alias.name):
                    found.add(f"{rel}: {node.module}.{alias.name}")
                elif _is_module(f"{node.module}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in OURS:
                    bound = alias.asname or alias.name.split(".")[0]
                    modules[bound] = alias.name if alias.asname else bound
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _is_private(node.attr)
        ):
            found.add(f"{rel}: {modules[node.value.id]}.{node.attr}")
    return found


def test_no_module_imports_another_modules_underscore_names() -> None:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if not NOT_OURS & set(path.relative_to(ROOT).parts):
            found |= _private_imports(path)
    assert found - KNOWN_PRIVATE_IMPORTS == set()
    # the list shrinks as they are fixed
    assert KNOWN_PRIVATE_IMPORTS <= found


def test_the_fast_path_stays_in_its_package() -> None:
    """Only schema/fastexec reaches into strawberry's and graphql-core's
    internals (schema/fastexec/internals.py names them); the rest of the tree
    uses its entry point and its two markers."""
    allowed = {"schema.fastexec"}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if NOT_OURS & set(rel.parts) or rel.parts[:2] == ("schema", "fastexec"):
            continue
        if rel.parts[0] == "tests":
            continue  # tests look inside on purpose
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "schema.fastexec"
            ):
                assert node.module in allowed, f"{rel} imports {node.module}"


def test_every_database_session_parameter_is_named_db() -> None:
    """A "session" is a therapy session; an AsyncSession is always ``db``."""
    wrong = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if NOT_OURS & set(rel.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            a = node.args
            for arg in a.posonlyargs + a.args + a.kwonlyargs:
                ann = ast.unparse(arg.annotation) if arg.annotation else ""
                is_db = ann.endswith(("AsyncSession", "SerializedSession"))
                if is_db and arg.arg != "db":
                    wrong.append(f"{rel}:{arg.lineno} {arg.arg}: {ann}")
    assert wrong == []
