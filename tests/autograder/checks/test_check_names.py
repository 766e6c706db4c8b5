"""Every check name a source notebook's cells or a test module uses resolves in the module it names.

The check modules may be split into packages whose ``__init__`` re-exports the names; this reads
the cells and tests as written (``from autograder.checks import dropout as checks`` ...
``checks.check_dropout_mask(...)``) and looks each attribute up, so a name lost in a move fails
here rather than in a chapter's nbval run or a class's grading.
"""

from __future__ import annotations

import ast
import importlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import REPO

CHECKS = "autograder.checks"


def _bindings(node: ast.AST) -> Iterator[tuple[str, str]]:
    """``(local name, module)`` for each check module an import statement binds to a name."""
    if isinstance(node, ast.ImportFrom) and node.module == "autograder":
        for alias in node.names:
            if alias.name == "checks":
                yield alias.asname or "checks", CHECKS
    elif isinstance(node, ast.ImportFrom) and node.module == CHECKS:
        for alias in node.names:
            if importlib.util.find_spec(f"{CHECKS}.{alias.name}") is not None:
                yield alias.asname or alias.name, f"{CHECKS}.{alias.name}"
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith(f"{CHECKS}.") and alias.asname:
                yield alias.asname, alias.name


def _from_imports(node: ast.AST) -> Iterator[tuple[str, str]]:
    """``(module, name)`` for ``from autograder.checks.<module> import <name>``."""
    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(f"{CHECKS}."):
        for alias in node.names:
            yield node.module, alias.name


def _uses(sources: list[str]) -> set[tuple[str, str]]:
    """``(module, attribute)`` for every check-module attribute the sources use, read in order (a
    notebook's cells run one after another, so a name keeps the module its last import gave it)."""
    modules: dict[str, str] = {}
    found = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            modules.update(_bindings(node))
            found.update(_from_imports(node))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                found.add((modules[node.value.id], node.attr))
    return found


def _notebook_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


SOURCES = {path.relative_to(REPO).as_posix(): _notebook_cells(path) for path in sorted(REPO.glob("source/*/*.ipynb"))}
SOURCES |= {path.relative_to(REPO).as_posix(): [path.read_text()] for path in sorted(REPO.glob("tests/**/test_*.py"))}


@pytest.mark.parametrize("name", sorted(name for name, sources in SOURCES.items() if _uses(sources)))
def test_every_check_name_used_resolves(name):
    """Check that every check-module attribute the notebook or test uses exists in that module."""
    missing = [f"{module}.{attribute}" for module, attribute in sorted(_uses(SOURCES[name]))
               if not hasattr(importlib.import_module(module), attribute)]
    assert not missing, f"{name} uses names its check modules do not define: {missing}"


def test_the_chapters_use_check_names():
    """Check that the reading finds the chapters' check calls (a reader that finds none proves nothing)."""
    used = set().union(*(_uses(sources) for name, sources in SOURCES.items() if name.startswith("source/")))
    modules = {module for module, _ in used}
    assert {f"{CHECKS}.workflow", f"{CHECKS}.dropout", f"{CHECKS}.numpy_network", f"{CHECKS}.validation"} <= modules
    assert (f"{CHECKS}.dropout", "check_dropout_mask") in used
