"""The shape of the code (STYLE.md, rule 9): imports point one way and private names stay home.

Every import is read, those inside functions too: a lazy import that closes a loop is still a
loop, only hidden.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Infrastructure: what every domain may use, and which uses no domain. "app" itself is the
# application factory, above every layer.
BASE = ("app.core", "app.extensions", "app.config")


def _module_name(path: Path) -> str:
    """app/ledger/views.py -> app.ledger.views; app/ledger/__init__.py -> app.ledger."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> list[tuple[str, str, int]]:
    """(module imported, name taken or "", line) for each import of a module of the app."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "", node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    found.append((submodule, "", node.lineno))
                else:
                    found.append((base, alias.name, node.lineno))
    return [(target, taken, line) for target, taken, line in found if target in modules]


@pytest.fixture(scope="module")
def graph() -> dict[str, list[tuple[str, str, int]]]:
    """Each module of app/ with the app modules it imports."""
    paths = sorted((ROOT / "app").rglob("*.py"))
    modules = {_module_name(path) for path in paths}
    return {_module_name(path): _imports(path, modules) for path in paths}


def test_the_graph_is_read(graph):
    """The walk finds the app's modules and their imports (a broken walk would pass the rest)."""
    assert {"app.core.fields", "app.api.blueprint", "app.ledger.services"} <= graph.keys()
    taken = {(target, name) for target, name, _ in graph["app.api.clients"]}
    assert ("app.api.blueprint", "bp") in taken
    lazy = {(target, name) for target, name, _ in graph["app.ledger.blueprint"]}
    assert ("app.ledger.accounts", "family_account") in lazy  # an import inside a function


def test_no_module_imports_another_modules_private_name(graph):
    """What two modules share has a public name (no `from app.x import _helper`)."""
    private = [
        f"{module} imports {target}.{taken} (line {line})"
        for module, imports in graph.items()
        for target, taken, line in imports
        if taken.startswith("_") and not taken.startswith("__") and target != module
    ]
    assert private == []


def test_no_import_cycles(graph):
    """No module reaches itself through its imports."""
    edges = {
        module: {target for target, _, _ in imports} - {module} for module, imports in graph.items()
    }
    cycles = []
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the current path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state[target] == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif state[target] == 0:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if state[module] == 0:
            visit(module)
    assert cycles == []


def test_infrastructure_uses_no_domain(graph):
    """app/core/ (and the extensions and settings) import nothing from a domain package."""
    upward = [
        f"{module} imports {target} (line {line})"
        for module, imports in graph.items()
        if module.startswith(BASE)
        for target, _, line in imports
        if not target.startswith(BASE)
    ]
    assert upward == []


def test_only_the_api_imports_the_api(graph):
    """The JSON API is the top layer: no domain imports it."""
    upward = [
        f"{module} imports {target} (line {line})"
        for module, imports in graph.items()
        if not module.startswith("app.api") and module != "app"
        for target, _, line in imports
        if target.startswith("app.api")
    ]
    assert upward == []


def test_routes_modules_are_leaves(graph):
    """A module of routes (a domain's views) is imported by nobody: the pages it holds are
    registered through its domain's blueprint.py, and what others need lives elsewhere."""
    routes = {
        module
        for module in graph
        if module.rsplit(".", 1)[-1] in {"views", "reports"} or module.endswith("_views")
    }
    importers = [
        f"{module} imports {target} (line {line})"
        for module, imports in graph.items()
        for target, _, line in imports
        if target in routes and target != module
    ]
    assert importers == []
