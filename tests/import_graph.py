"""The import graph of proxyservice, read from the code: its modules, imports, upward crossings and cycles.

``python -m tests.import_graph [ROOT]`` prints the figures for a checkout (this one by default), so the
graph of two commits can be compared; ``tests/test_architecture.py`` holds the house to them.

The floors, from the bottom: ``domain/`` and ``errors.py`` import nothing of the project; ``config.py``;
``process/``, ``services/`` and the other leaves; ``plugins/``; the service container; the documents;
the HTTP side (controllers, then routes, then the factory); the worker and the command line. An import
runs *upward* when it leaves a floor for a higher one. The three ways in (the web, the worker and the
command line) stand on the same floors and share what is below them; none imports another's rooms.
"""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOORS = {
    "domain": 0, "errors": 0,
    "config": 1, "setting_values": 1,
    "schemas": 2, "logging_config": 2, "client": 2, "process": 2, "services": 2,
    "plugins": 3,
    "container": 4,
    "documents": 5,
    "controllers": 6, "routes": 7, "factory": 8,
    "worker": 8, "cli": 8,
    # Before the worker and the command line had packages of their own, at the package root:
    "tasks": 8, "worker_status": 8, "plugin_check": 8,
}
"""The floor of each room of the package, by its first name under ``proxyservice``."""
DOORS = {"web": {"controllers", "routes", "factory"}, "worker": {"worker", "tasks", "worker_status"},
         "cli": {"cli", "plugin_check"}}
"""The three ways in; a door may not import another's rooms."""


def room(module: str) -> str:
    """The room of a module: its first name under the package (``cli_ingest`` is the command line's)."""
    first = module.split(".")[1] if "." in module else module
    return "cli" if first.startswith("cli_") else first


def floor(module: str) -> int:
    """The floor of a module (an unknown room is put at the top, where it can harm nothing below)."""
    return FLOORS.get(room(module), 9)


def door(module: str) -> str | None:
    """Which way in a module belongs to, if any."""
    return next((name for name, rooms in DOORS.items() if room(module) in rooms), None)


@dataclass(frozen=True)
class Graph:
    """Modules and the imports between them (``proxyservice.a.b`` → ``proxyservice.c``)."""

    modules: dict[str, Path]
    imports: set[tuple[str, str]]

    def upward(self) -> list[tuple[str, str]]:
        """Imports from a lower floor to a higher one."""
        return sorted((a, b) for a, b in self.imports if floor(a) < floor(b))

    def across_doors(self) -> list[tuple[str, str]]:
        """Imports from one way in into another's rooms (the worker reading the HTTP controllers)."""
        return sorted((a, b) for a, b in self.imports if door(a) and door(b) and door(a) != door(b))

    def cycles(self) -> list[list[str]]:
        """Every strongly connected set of more than one module (Tarjan's algorithm)."""
        edges: dict[str, list[str]] = {module: [] for module in self.modules}
        for a, b in self.imports:
            edges[a].append(b)
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []

        def visit(node: str) -> None:
            index[node] = low[node] = len(index)
            stack.append(node)
            on_stack.add(node)
            for nxt in edges[node]:
                if nxt not in index:
                    visit(nxt)
                    low[node] = min(low[node], low[nxt])
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.append(sorted(members))

        sys.setrecursionlimit(10_000)
        for module in sorted(self.modules):
            if module not in index:
                visit(module)
        return found


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_graph(root: Path = ROOT) -> Graph:
    """The graph of the checkout at ``root``: every import of a module of the package, at any depth of the code."""
    package = root / "proxyservice"
    modules = {module_name(path, package): path for path in sorted(package.rglob("*.py"))}
    imports: set[tuple[str, str]] = set()
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(name, is_package, node.module, node.level)
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                found = _known(target, modules)
                if found is not None and found != name:
                    imports.add((name, found))
                    break
    return Graph(modules, imports)


def _absolute(importer: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _known(target: str, modules: dict[str, Path]) -> str | None:
    """The module of the package an imported name is (or is in), if any."""
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    graph = read_graph(root)
    print(f"modules: {len(graph.modules)}")
    print(f"imports between them: {len(graph.imports)}")
    print(f"imports that run upward: {len(graph.upward())}")
    for a, b in graph.upward():
        print(f"  {a} -> {b}")
    print(f"imports from one way in into another's rooms: {len(graph.across_doors())}")
    for a, b in graph.across_doors():
        print(f"  {a} -> {b}")
    cycles = graph.cycles()
    print(f"import cycles: {len(cycles)}")
    for cycle in cycles:
        print(f"  {' <-> '.join(cycle)}")
    lengths = sorted(((len(path.read_text().splitlines()), name) for name, path in graph.modules.items()), reverse=True)
    print("longest modules: " + ", ".join(f"{name} {lines}" for lines, name in lengths[:8]))


if __name__ == "__main__":
    main()
