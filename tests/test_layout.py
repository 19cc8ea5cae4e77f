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
OURS = {"app", "settings", "cli", "query_ast", *LAYERS, "migrations", "tests", "bench"}
NOT_OURS = {".venv", ".data", "build", ".git", "node_modules"}


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
    assert found == set()


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


def _imported_names(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every ``from module import name`` (absolute)."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend((node.module, a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend((a.name, "") for a in node.names)
    return found


def _reaches(module: str, name: str, targets: tuple[str, ...]) -> bool:
    dotted = f"{module}.{name}" if name else module
    return any(
        m == t or m.startswith(t + ".") for m in (module, dotted) for t in targets
    )


# the SQL behind the services: reads and writes go through services/
DATA_ACCESS = ("db.queries", "db.loaders", "db.engine")
# the resolvers that may reach DATA_ACCESS, each with the reason
RESOLVER_DATA_ACCESS = {
    # the context creates the per-request loaders (ScopedLoader)
    "resolvers/context.py",
    # PageArgs and the cursor format are plain values defined beside their SQL
    "resolvers/pagination.py",
}


def test_resolvers_reach_the_database_only_through_services() -> None:
    reaching = set()
    for path in (ROOT / "resolvers").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if any(_reaches(m, n, DATA_ACCESS) for m, n in _imported_names(path)):
            reaching.add(rel)
    assert reaching - RESOLVER_DATA_ACCESS == set()
    # the exceptions are real (a stale entry would hide nothing, but mislead)
    assert RESOLVER_DATA_ACCESS <= reaching


# the server around the GraphQL surface (HTTP view, extensions, guards, error
# formatting, persisted documents, metrics, the executor): it opens sessions,
# authenticates and writes the audit, so it may use db and services directly
SCHEMA_MACHINERY = {
    "schema/__init__.py",
    "schema/cost.py",
    "schema/documents.py",
    "schema/errors.py",
    "schema/extensions.py",
    "schema/fanout.py",
    "schema/fanout_keys.py",
    "schema/guard.py",
    "schema/http_policy.py",
    "schema/limits.py",
    "schema/metrics.py",
    "schema/metrics_http.py",
    "schema/upload_guard.py",
    "schema/view.py",
    "schema/websocket.py",
}


def test_graphql_types_and_fields_call_resolvers_only() -> None:
    """schema/types/* and the root-field modules call resolvers/: no SQL, no
    loader, and from services only what they annotate or build inputs with
    (types, modules of types, sentinels), never a function."""
    import importlib
    import inspect

    wrong = []
    for path in (ROOT / "schema").rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.as_posix() in SCHEMA_MACHINERY or rel.parts[:2] == (
            "schema",
            "fastexec",
        ):
            continue
        for module, name in _imported_names(path):
            if _reaches(module, name, DATA_ACCESS):
                wrong.append(f"{rel}: {module} {name}")
            elif module == "services" or module.startswith("services."):
                value = getattr(importlib.import_module(module), name, None)
                if inspect.isfunction(value) or inspect.isbuiltin(value):
                    wrong.append(f"{rel}: {module}.{name}")
    assert wrong == []


def test_query_ast_is_a_leaf() -> None:
    """Shared by the resolvers and the executor: it imports nothing of ours."""
    assert _imports(ROOT / "query_ast.py") & OURS == set()


# what a mutation does besides its domain write: its use-case in
# services/*_writes.py does it (the consent check, the jobs queued in the
# request's transaction); resolvers/audit.py is gone (services.audit.buffer_event)
WRITE_STEPS = ("services.enqueue", "services.consent", "resolvers.audit")
# a write step as a call in a resolver: an audit event, an after-commit callback
WRITE_STEP_CALLS = {"audit", "after_commit"}


def test_resolvers_leave_the_steps_of_a_write_to_services() -> None:
    """A mutation resolver decodes the IDs, calls one write use-case with the
    context (a ``services.writes.Writer``) and returns its answer.

    Checked as: no module of resolvers/ imports ``services.enqueue``,
    ``services.consent`` or ``resolvers.audit``; no function of resolvers/
    calls ``audit(...)``, ``x.audit(...)`` or ``x.after_commit(...)``; and none
    reads a ``.db`` attribute (no ``ctx.db.get(...)``, no session handed to a
    service: reads take the context as a ``Reader`` too).
    ``resolvers/context.py`` is the Writer itself and is not checked.
    """
    wrong: list[str] = []
    db_reads: set[str] = set()
    for path in (ROOT / "resolvers").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "resolvers/context.py":
            continue
        for module, name in _imported_names(path):
            if _reaches(module, name, WRITE_STEPS):
                wrong.append(f"{rel} imports {module} {name}")
        for fn in ast.parse(path.read_text()).body:
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            where = f"{rel}: {fn.name}"
            for node in ast.walk(fn):
                if isinstance(node, ast.Call):
                    f = node.func
                    called = f.id if isinstance(f, ast.Name) else None
                    if isinstance(f, ast.Attribute):
                        called = f.attr
                    if called in WRITE_STEP_CALLS:
                        wrong.append(f"{where} calls {called}(...)")
                elif isinstance(node, ast.Attribute) and node.attr == "db":
                    db_reads.add(where)
    assert wrong == []
    assert db_reads == set()
