"""The package's shape: every module sits in a layer subpackage, imports point only down the layers (or within
one), there are no import cycles, only the command line talks to the terminal, and no function is too long to
read at once."""

from __future__ import annotations

import ast
from pathlib import Path

import tracker

PACKAGE = Path(tracker.__file__).parent
# Lowest first. Layers on one line are peers: neither imports the other. A module may import its own layer and
# any layer below it; the package root (tracker/__init__.py: only the version) may be imported by any.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("model",),
    ("storage",),
    ("text", "edits"),
    ("questions",),
    ("publish", "exchange"),
    ("cli",),
)
RANK = {layer: rank for rank, peers in enumerate(LAYERS) for layer in peers}
TOP = {"tracker": None, "tracker.__main__": "cli"}  # modules outside the subpackages, and the layer each counts as
LONGEST_FUNCTION = 60  # lines from `def` to the last line of the body (decorators not counted)


def modules(package: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a subpackage is its __init__)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports, at the top or inside a function alike."""
    known = modules(package)
    root = package.name

    def nearest(name: str) -> str:
        while name not in known:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(nearest(alias.name) for alias in node.names if alias.name.split(".")[0] == root)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == root:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in known else nearest(node.module))
            elif isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{path}:{node.lineno}: use absolute imports (from {root}.… import …)")
        targets.discard(name)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: each group of modules that import one another, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> str | None:
    if module in TOP:
        return TOP[module]
    return module.split(".")[1]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Each import that points up the layers or sideways to a peer layer."""
    wrong = []
    for module, targets in sorted(graph.items()):
        mine = layer_of(module)
        for target in sorted(targets):
            theirs = layer_of(target)
            if theirs is None or theirs == mine:
                continue
            if mine is None or RANK[theirs] >= RANK[mine]:
                wrong.append(f"{module} ({mine}) imports {target} ({theirs})")
    return wrong


def terminal_calls(package: Path) -> list[str]:
    """print(), sys.exit() and click anywhere outside the command-line layer."""
    found = []
    for name, path in modules(package).items():
        if layer_of(name) == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(package.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in ("print", "exit", "quit"):
                    found.append(f"{where} calls {func.id}()")
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "sys" and func.attr == "exit":
                    found.append(f"{where} calls sys.exit()")
            elif ((isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "click" for alias in node.names))
                  or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click")):
                found.append(f"{where} imports click")
    return found


def long_functions(package: Path, limit: int = LONGEST_FUNCTION) -> list[str]:
    """Every function or method of the package longer than limit lines, as "path:line name (N lines)"."""
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_every_module_sits_in_a_layer() -> None:
    strays = [name for name in modules(PACKAGE) if name not in TOP and (name.count(".") < 1 or layer_of(name) not in RANK)]
    assert strays == [], "put each module in one of the layer subpackages: " + ", ".join(strays)


def test_no_import_cycles() -> None:
    assert cycles(import_graph(PACKAGE)) == []


def test_imports_point_down_the_layers() -> None:
    assert layer_violations(import_graph(PACKAGE)) == []


def test_only_the_command_line_talks_to_the_terminal() -> None:
    assert terminal_calls(PACKAGE) == []


def test_the_checks_catch_a_back_import_and_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "tracker"
    for folder in ("model", "storage", "cli"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text('"""A layer."""\n')
    (package / "__init__.py").write_text('__version__ = "0"\n')
    (package / "model" / "records.py").write_text("def f():\n    from tracker.storage.store import load\n")
    (package / "storage" / "store.py").write_text("from tracker.model import records\nload = records\n")
    (package / "storage" / "echo.py").write_text("import sys\nprint('x')\nsys.exit(1)\n")
    (package / "cli" / "main.py").write_text("from tracker.storage.store import load\nprint(load)\n")
    graph = import_graph(package)
    assert cycles(graph) == [["tracker.model.records", "tracker.storage.store"]]
    assert layer_violations(graph) == ["tracker.model.records (model) imports tracker.storage.store (storage)"]
    assert terminal_calls(package) == ["tracker/storage/echo.py:2 calls print()", "tracker/storage/echo.py:3 calls sys.exit()"]


def test_no_function_is_longer_than_sixty_lines() -> None:
    assert long_functions(PACKAGE) == [], f"split each into well-named functions of at most {LONGEST_FUNCTION} lines"


def test_the_length_check_counts_from_def_to_the_last_line(tmp_path: Path) -> None:
    package = tmp_path / "tracker"
    package.mkdir()
    sixty = "def sixty():\n" + "".join(f"    x{n} = {n}\n" for n in range(58)) + "    return 0\n"
    sixty_one = "    @staticmethod\n    def sixty_one():\n" + "".join(f"        x{n} = {n}\n" for n in range(59)) + "        return 0\n"
    (package / "sizes.py").write_text(f"{sixty}\n\nclass Holder:\n{sixty_one}")
    assert long_functions(package) == ["tracker/sizes.py:65 sixty_one (61 lines)"]
