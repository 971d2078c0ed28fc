"""
The modules of capex import one another in one direction: no cycles, at module level or inside
functions, and each module imports on its own in a fresh interpreter (after django.setup(),
which every module that touches a model needs).
"""

import ast
import json
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


# One fresh interpreter runs django.setup() once, then forks a child per module named on its
# command line: each child starts from exactly the state a fresh interpreter has after
# django.setup(), imports its one module and reports the error, if any (the last 2,000 characters
# of the traceback, small enough for the pipe). Setting Django up once instead of once per module
# is most of this file's run time saved.
IMPORT_EACH_ALONE = """
import importlib, json, os, sys, traceback
import django
django.setup()
errors = {}
for name in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            error = ""
        except BaseException:
            error = traceback.format_exc()[-2000:]
        os.write(write, error.encode())
        os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        error = pipe.read().decode()
    errors[name] = error or ("" if status == 0 else f"the import ended the process (wait status {status})")
print(json.dumps(errors))
"""


@pytest.fixture(scope="module")
def import_errors() -> dict[str, str]:
    """Each capex module's error when imported alone after django.setup(), "" for none."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    modules = sorted(capex_modules())
    result = subprocess.run(  # noqa: S603 (this interpreter, module names of this project)
        [sys.executable, "-c", IMPORT_EACH_ALONE, *modules],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", sorted(capex_modules()))
def test_each_module_imports_alone_in_a_fresh_interpreter(module, import_errors):
    assert import_errors[module] == ""
