"""
The modules of capex import one another in one direction: no cycles, at module level or inside
functions, and each module imports on its own in a fresh interpreter (after django.setup(),
which every module that touches a model needs).
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

CAPEX = Path(settings.BASE_DIR) / "capex"


def capex_modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(CAPEX.rglob("*.py")):
        parts = path.relative_to(settings.BASE_DIR).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def imported(path: Path, modules: dict[str, Path]) -> set[str]:
    """The capex modules a file imports, anywhere in it, with the packages Python imports on the way."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            found.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return {name for name in found if name in modules}


def test_no_import_cycles_among_capex_modules():
    modules = capex_modules()
    graph = {name: imported(path, modules) - {name} for name, path in modules.items()}
    # A package's own __init__ is imported before its submodules; an edge to a parent package is
    # a cycle only through what that __init__ itself imports.
    cycles = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if name.startswith(target + "."):
                continue  # a submodule "imports" its parent package by being in it
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target] if target in trail else [name, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("module", sorted(capex_modules()))
def test_each_module_imports_alone_in_a_fresh_interpreter(module):
    code = f"import django; django.setup(); import importlib; importlib.import_module({module!r})"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(  # noqa: S603 (this interpreter, a module name of this project)
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
