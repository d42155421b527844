"""Standing rules of the layout (README, "Layout"): short modules, the project package only
wires apps, and arrows between apps go one way."""

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PROJECT = "bizenv"
APPS = ["core", "accounts", "cases", "reviews", "publishing"]
MAX_LINES = 500


def product_modules():
    """(dotted name, path) of every module of the product: migrations, tests, bench aside."""
    for top in [PROJECT, *APPS]:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


MODULES = dict(product_modules())


def imported_modules(name: str, path: Path) -> set[str]:
    """Every module of the product that ``name`` imports, at module or function level."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: imported_modules(name, path) for name, path in MODULES.items()}


def app_of(module: str) -> str:
    return module.split(".")[0]


def test_the_layout_sees_the_whole_product():
    assert "cases.models" in MODULES and "reviews.ranking" in MODULES
    assert GRAPH["publishing.notice_documents"], "the import walk found nothing"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_500_lines(name):
    lines = MODULES[name].read_text().count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by responsibility"


def test_the_project_package_imports_no_app_outside_its_urls():
    offenders = {
        name: sorted(t for t in targets if app_of(t) in APPS)
        for name, targets in GRAPH.items()
        if app_of(name) == PROJECT and name != f"{PROJECT}.urls"
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_apps_do_not_import_the_project_package():
    offenders = sorted(
        (name, target)
        for name, targets in GRAPH.items()
        for target in targets
        if app_of(name) in APPS and app_of(target) == PROJECT
    )
    assert offenders == []


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` with more than one module: modules that
    import each other, directly or around a circle."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return circles


def test_the_circle_finder_sees_direct_and_roundabout_circles():
    graph = {
        "a.models": {"a.workflow"},
        "a.workflow": {"a.models"},
        "b.one": {"b.two"},
        "b.two": {"b.three"},
        "b.three": {"b.one", "b.models"},
        "b.models": set(),
    }
    assert sorted(import_circles(graph)) == [
        ["a.models", "a.workflow"],
        ["b.one", "b.three", "b.two"],
    ]


def test_no_import_circle_crosses_apps():
    """Strongly connected components of the module graph (function-level imports included)
    may not span two apps."""
    assert [c for c in import_circles(GRAPH) if len({app_of(m) for m in c}) > 1] == []


def test_no_import_circle_inside_an_app():
    """No two modules of one app import each other, directly or around a circle, at module or
    function level: models know nothing of the functions above them (the workflow, the review,
    the publication steps); views and tasks call those functions."""
    assert import_circles(GRAPH) == []


def test_arrows_between_apps_go_one_way():
    """core depends on no app; accounts only on core; cases, reviews and publishing each on
    those before them in this order."""
    order = {app: i for i, app in enumerate(APPS)}
    arrows = defaultdict(set)
    for name, targets in GRAPH.items():
        for target in targets:
            if app_of(name) in APPS and app_of(target) in APPS and app_of(name) != app_of(target):
                arrows[app_of(name)].add(app_of(target))
    backwards = {
        (source, target)
        for source, targets in arrows.items()
        for target in targets
        if order[target] > order[source]
    }
    assert backwards == set()
