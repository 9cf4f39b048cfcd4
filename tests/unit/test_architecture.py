"""Architecture rules that no hand-kept list of module names could keep up to date.

A module declares itself pure with a line of its docstring that starts with ``Pure:`` (the rest
of the line says what it keeps out, e.g. ``Pure: no Flask, no database.``). A pure module imports
none of :data:`FORBIDDEN_IN_PURE`, neither directly nor through other modules of the package.

No package imports another in a cycle, at any level of the package.

The import graph is grimp's, the one import-linter checks the contracts on.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

PACKAGE = "neutrality"
PURE_MARKER = "Pure:"
FORBIDDEN_IN_PURE = (
    "flask",
    "flask_smorest",
    "flask_wtf",
    "flask_babel",
    "sqlalchemy",
    "marshmallow",
    "weasyprint",
    "alembic",
    "psycopg",
)

Import = tuple[str, str]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, include_external_packages=True, cache_dir=None)


def _own_modules(graph: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in graph.modules if m == PACKAGE or m.startswith(PACKAGE + "."))


def _source_file(module: str) -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def declares_itself_pure(module: str) -> bool:
    docstring = ast.get_docstring(ast.parse(_source_file(module).read_text(encoding="utf-8")))
    return any(line.startswith(PURE_MARKER) for line in (docstring or "").splitlines())


def _pure_modules(graph: grimp.ImportGraph) -> list[str]:
    return [m for m in _own_modules(graph) if declares_itself_pure(m)]


def test_every_model_declares_itself_pure(graph: grimp.ImportGraph) -> None:
    models = sorted(graph.find_matching_modules(f"{PACKAGE}.**.model"))
    assert models, "no model module found: the pattern no longer matches the layout"
    undeclared = [m for m in models if not declares_itself_pure(m)]
    assert not undeclared, f"no line starting with {PURE_MARKER!r} in the docstring of: " + (
        ", ".join(undeclared)
    )


def test_a_pure_module_imports_no_web_database_schema_or_pdf_library(
    graph: grimp.ImportGraph,
) -> None:
    pure = _pure_modules(graph)
    violations = []
    for module in pure:
        for library in FORBIDDEN_IN_PURE:
            if library not in graph.modules:  # imported nowhere in the package
                continue
            chains = graph.find_shortest_chains(importer=module, imported=library)
            if chains:
                chain = min(chains, key=lambda c: (len(c), c))
                violations.append(f"{module} imports {library}: {' -> '.join(chain)}")
    assert not violations, "modules declared pure import:\n" + "\n".join(violations)


def _children(graph: grimp.ImportGraph, package: str) -> list[str]:
    return sorted(graph.find_children(package))


def _packages(graph: grimp.ImportGraph) -> list[str]:
    return [m for m in _own_modules(graph) if graph.find_children(m)]


def _imports_between_siblings(
    graph: grimp.ImportGraph, siblings: Iterable[str]
) -> dict[Import, list[Import]]:
    """(sibling, sibling) → the module imports behind that dependency."""
    siblings = list(siblings)

    def sibling_of(module: str) -> str | None:
        for sibling in siblings:
            if module == sibling or module.startswith(sibling + "."):
                return sibling
        return None

    edges: dict[Import, list[Import]] = {}
    for sibling in siblings:
        for importer in sorted({sibling} | graph.find_descendants(sibling)):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = sibling_of(imported)
                if target not in (None, sibling):
                    edges.setdefault((sibling, target), []).append((importer, imported))
    return edges


def _strongly_connected(nodes: list[str], edges: Iterable[Import]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of nodes that reach each other, of two nodes or more."""
    successors: dict[str, list[str]] = {node: [] for node in nodes}
    for source, target in edges:
        successors[source].append(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(successors[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in nodes:
        if node not in index:
            visit(node)
    return groups


def _a_cycle_through(start: str, group: list[str], edges: Iterable[Import]) -> list[str]:
    """The shortest path from ``start`` back to itself inside ``group`` (breadth first)."""
    successors: dict[str, list[str]] = {node: [] for node in group}
    for source, target in edges:
        if source in successors and target in successors:
            successors[source].append(target)
    paths = [[start]]
    seen = {start}
    while paths:
        path = paths.pop(0)
        for successor in sorted(successors[path[-1]]):
            if successor == start:
                return path + [start]
            if successor not in seen:
                seen.add(successor)
                paths.append(path + [successor])
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group has one


def package_cycles(graph: grimp.ImportGraph) -> list[str]:
    """Every cycle between sibling packages, each with the imports behind each of its steps."""
    cycles = []
    for parent in _packages(graph):
        siblings = [child for child in _children(graph, parent) if graph.find_children(child)]
        edges = _imports_between_siblings(graph, siblings)
        for group in _strongly_connected(siblings, edges):
            cycle = _a_cycle_through(group[0], group, edges)
            steps = []
            for source, target in zip(cycle, cycle[1:], strict=False):
                imports = ", ".join(f"{a} -> {b}" for a, b in edges[(source, target)])
                steps.append(f"  {source} -> {target}: {imports}")
            among = f" (one cycle among {', '.join(group)})" if len(group) > len(cycle) - 1 else ""
            cycles.append(" -> ".join(cycle) + among + "\n" + "\n".join(steps))
    return cycles


def test_no_package_imports_another_in_a_cycle(graph: grimp.ImportGraph) -> None:
    cycles = package_cycles(graph)
    assert not cycles, "packages that import each other:\n" + "\n".join(cycles)
