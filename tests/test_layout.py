"""The package's folders are stages and imports point one way: a module may import from its
own stage or the ones before it (core <- engines <- scenario <- runs <- analysis <- report <-
cli), never from a later one, and no two modules import each other (lazy imports inside
functions count too)."""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "alliance_sim"
STAGES = ("errors", "core", "engines", "scenario", "runs", "analysis", "report", "cli")


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every alliance_sim module ``path`` imports, at the top or inside functions (imports
    under ``if TYPE_CHECKING:`` are never executed and do not count)."""
    out = set()
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("alliance_sim")
        ):
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(
                    sub if (PKG.parent / (sub.replace(".", "/") + ".py")).exists() else node.module
                )
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("alliance_sim")}
    return out


MODULES = {module_name(p): p for p in PKG.rglob("*.py")}


def stage(mod: str) -> int | None:
    parts = mod.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


@pytest.mark.parametrize("mod", sorted(m for m in MODULES if stage(m) is not None))
def test_imports_point_one_way(mod):
    here = stage(mod)
    later = sorted(i for i in imports(MODULES[mod]) if (stage(i) or 0) > here)
    assert later == [], f"{mod} imports from a later stage"


def test_no_import_circles():
    graph = {m: {i for i in imports(p) if i in MODULES and i != m} for m, p in MODULES.items()}
    graph = {m: {i for i in deps if i != "alliance_sim"} for m, deps in graph.items()}
    seen, stack, cycles = set(), [], []

    def visit(m):
        if m in stack:
            cycles.append([*stack[stack.index(m) :], m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for d in graph.get(m, ()):
            visit(d)
        stack.pop()

    for m in graph:
        visit(m)
    assert cycles == []


def test_modules_stay_small_or_say_why():
    for mod, path in MODULES.items():
        text = path.read_text("utf-8")
        n = text.count("\n")
        doc = ast.get_docstring(ast.parse(text)) or ""
        assert n <= 420 or "long because" in doc or "Over 400 lines" in doc, f"{mod}: {n} lines"
