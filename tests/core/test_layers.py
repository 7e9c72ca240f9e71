"""The layers of docs/architecture.md, checked on the source (ast, nothing imported):

- ``core``, ``audit`` and ``textsearch`` import no app (network, catalog, knowledge, events,
  outreach, greenlib, interop), anywhere in a module, function bodies included;
- no import cycle between modules (imports at module level; those under ``TYPE_CHECKING`` or
  inside functions do not run at import time and are left out);
- no module outside an app writes that app's models directly: a model class imported from
  another app's ``models`` is never the root of ``.objects.create/bulk_create/update/delete/
  get_or_create/update_or_create/bulk_update/save(...)``. Writes go through the owning app's
  services. (The check sees writes through the model class; ``instance.save()`` on a row that
  came from another app's query is not seen.)

Each exception is listed below with why it is there; remove the line when the code moves.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "libcoop"
APPS = frozenset(
    {"network", "catalog", "knowledge", "events", "outreach", "greenlib", "interop", "repository"}
)
BASE_LAYERS = frozenset({"core", "audit", "textsearch"})
WRITES = frozenset(
    {
        "create",
        "bulk_create",
        "update",
        "delete",
        "get_or_create",
        "update_or_create",
        "bulk_update",
        "save",
    }
)

# module → apps it may import although it sits in a base layer, and why.
LAYER_EXCEPTIONS: dict[str, tuple[frozenset[str], str]] = {
    "libcoop.core.views": (
        frozenset({"network"}),
        "the home page shows the registry's counts: a site page, not a base service",
    ),
    "libcoop.core.context": (
        frozenset({"network"}),
        "the template context names the signed-in staff profile (network.abilities.profile_of)",
    ),
    "libcoop.core.attachments": (
        frozenset({"network"}),
        "an attachment belongs to an Institution (type hints and lookups)",
    ),
    "libcoop.core.demo": (
        frozenset({"network"}),
        "re-export of network.demo for imports not yet moved; remove with its last user",
    ),
}

# (module, model) → why that module writes another app's model directly.
WRITE_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("libcoop.interop.harvest.service", "ImportJob"): (
        "the harvester opens and closes its own catalog import job; to move behind a catalog "
        "function like queue_import"
    ),
    ("libcoop.interop.harvest.service", "ImportProblem"): (
        "the harvester stores the problems of the records it could not read; same move"
    ),
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def _deferred(node: ast.AST) -> bool:
    """A function body or an ``if TYPE_CHECKING:`` block: not run when the module is imported."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return True
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST) -> Iterator[tuple[str, bool, int]]:
    """(imported libcoop name, at module level, line): ``from a import b`` gives a and a.b."""

    def visit(node: ast.AST, top: bool) -> Iterator[tuple[str, bool, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, top, child.lineno
            elif isinstance(child, ast.ImportFrom):
                if child.level or not child.module:
                    continue
                yield child.module, top, child.lineno
                for alias in child.names:
                    yield f"{child.module}.{alias.name}", top, child.lineno
            else:
                yield from visit(child, top and not _deferred(child))

    for name, top, line in visit(tree, True):
        if name == "libcoop" or name.startswith("libcoop."):
            yield name, top, line


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_base_layers_import_no_app() -> None:
    found = []
    for module, tree in TREES.items():
        if _layer(module) not in BASE_LAYERS:
            continue
        allowed = LAYER_EXCEPTIONS.get(module, (frozenset(), ""))[0]
        for name, _top, line in _imports(tree):
            target = _layer(name)
            if target in APPS and target not in allowed:
                found.append(f"{module}:{line} imports {name}")
    assert sorted(set(found)) == []


def test_layer_exceptions_are_still_needed() -> None:
    """An exception whose module no longer imports the app is stale: remove it."""
    for module, (apps, _why) in LAYER_EXCEPTIONS.items():
        assert module in TREES, f"{module} is gone: remove its exception"
        used = {_layer(name) for name, _top, _line in _imports(TREES[module])}
        assert apps <= used, f"{module} no longer imports {sorted(apps - used)}"


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, tree in TREES.items():
        for name, top, _line in _imports(tree):
            if not top:
                continue
            target = name if name in MODULES else name.rsplit(".", 1)[0]
            if target in MODULES and target != module:
                graph[module].add(target)
    return graph


def test_no_import_cycle_between_modules() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def connect(v: str) -> None:  # Tarjan's strongly connected components
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    assert cycles == []


def _foreign_model_writes() -> Iterator[tuple[str, str, int, str]]:
    """(module, model, line, call) for writes through another app's model class."""
    for module, tree in TREES.items():
        own = _layer(module)
        foreign: dict[str, str] = {}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("libcoop.")
                and node.module.endswith(".models")
                and _layer(node.module) != own
            ):
                for alias in node.names:
                    foreign[alias.asname or alias.name] = _layer(node.module)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr not in WRITES:
                continue
            root: ast.AST = node.func.value
            chain: list[str] = []
            while True:
                if isinstance(root, ast.Call):
                    root = root.func
                elif isinstance(root, ast.Attribute):
                    chain.append(root.attr)
                    root = root.value
                else:
                    break
            if isinstance(root, ast.Name) and root.id in foreign and "objects" in chain:
                call = ".".join([root.id, *reversed(chain), node.func.attr])
                yield module, root.id, node.lineno, call


def test_no_module_writes_another_apps_models() -> None:
    found = [
        f"{module}:{line} {call}"
        for module, model, line, call in _foreign_model_writes()
        if (module, model) not in WRITE_EXCEPTIONS
    ]
    assert sorted(found) == []


def test_write_exceptions_are_still_needed() -> None:
    seen = {(module, model) for module, model, _line, _call in _foreign_model_writes()}
    assert set(WRITE_EXCEPTIONS) <= seen, f"stale: {sorted(set(WRITE_EXCEPTIONS) - seen)}"


def test_the_checks_see_what_they_look_for() -> None:
    """The write check on a made-up module: it must flag the foreign write, not the own one."""
    source = (
        "from libcoop.catalog.models import ImportJob\n"
        "from libcoop.interop.models import HarvestRun\n"
        "def f():\n"
        "    ImportJob.objects.filter(pk=1).update(state='x')\n"
        "    HarvestRun.objects.create()\n"
    )
    TREES["libcoop.interop.probe"] = ast.parse(source)
    try:
        calls = [c for m, _model, _l, c in _foreign_model_writes() if m == "libcoop.interop.probe"]
    finally:
        del TREES["libcoop.interop.probe"]
    assert calls == ["ImportJob.objects.filter.update"]
