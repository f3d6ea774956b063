"""Guards for the layout (docs/architecture.md): they fail when the architecture erodes.

No import cycles inside qualcode; each layer imports only what is below it; no module uses
another module's private names; SQL lives in qualcode/store only; modules stay small; the
tests, notebooks and benchmarks use the public API.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "qualcode"
MAX_MODULE_LINES = 420

# Names of the form obj._x that are the public API of another library despite the underscore.
FOREIGN_PRIVATE_OK = {"_asdict", "_replace", "_fields", "_make"}
SQL = re.compile(
    r"\b(SELECT\b[\s\S]+\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(TEMP\s+)?(TABLE|VIEW|INDEX)|DROP\s+(TABLE|VIEW)|PRAGMA\s+\w+)\b"
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The qualcode module an import names (a name inside a module resolves to the module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path) -> set[str]:
    """Every qualcode module ``path`` imports, at module level or inside functions."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        out |= {m for m in map(_resolve, (n for n in names if n.startswith("qualcode"))) if m}
    return out


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_inside_qualcode():
    assert _cycles(GRAPH) == []


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "qualcode"


# What each layer may import (besides itself). Library packages never import the facade,
# the study runner or the interfaces; the store imports nothing above it.
BASE = {"errors", "version", "defaults", "threads"}
ALLOWED = {
    "store": BASE | {"codebook.model"},
    "library": None,  # anything but the layers above
}
ABOVE_LIBRARY = {"project", "project_findings", "project_privacy", "study", "cli", "web", "qualcode"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers(module):
    layer = _layer(module)
    imported = GRAPH[module]
    if layer == "store":
        allowed = {f"qualcode.{name}" for name in ALLOWED["store"]}
        wrong = {m for m in imported if _layer(m) != "store" and m not in allowed}
        assert not wrong, f"{module} (store) imports {sorted(wrong)}"
    elif layer not in ABOVE_LIBRARY:
        wrong = {m for m in imported if _layer(m) in ABOVE_LIBRARY}
        assert not wrong, f"{module} (library) imports the layers above it: {sorted(wrong)}"


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qualcode"):
            found += [f"imports {node.module}.{a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in FOREIGN_PRIVATE_OK:
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"line {node.lineno}: .{node.attr}")
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_the_private_name_check_catches_a_reach_in(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from qualcode.x import _helper\n\ndef f(project):\n    return project._db\n")
    assert _private_uses(sample) == ["imports qualcode.x._helper", "line 4: ._db"]


def test_no_private_names_used_across_modules():
    found = {name: uses for name, path in MODULES.items() if (uses := _private_uses(path))}
    assert found == {}


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_sql_check_recognises_sql():
    assert SQL.search('SELECT id FROM "codes"') and SQL.search("INSERT OR IGNORE INTO cases")
    assert not SQL.search("select the codes from the codebook")


def test_no_sql_outside_the_store():
    found = {}
    for name, path in MODULES.items():
        if _layer(name) == "store":
            continue
        hits = [f"line {line}: {text[:60]!r}" for line, text in _strings(path) if SQL.search(text)]
        calls = [
            f"line {node.lineno}: .{node.func.attr}()"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "executemany", "executescript")
        ]
        if hits or calls:
            found[name] = hits + calls
    assert found == {}


def test_modules_stay_small():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_tests_notebooks_and_benchmarks_use_the_public_api():
    """No reach into a Project's database connection: tests build states through the API or
    the helpers in conftest.py."""
    reach = re.compile(r"\._db\b")
    places = [
        *(REPO / "tests").glob("*.py"),
        *(REPO / "notebooks").glob("*"),
        *(REPO / "benchmarks").glob("*.py"),
    ]
    found = [
        str(p.relative_to(REPO))
        for p in places
        if p.is_file() and p.name != "test_architecture.py" and reach.search(p.read_text(encoding="utf-8"))
    ]
    assert found == []
