"""Independent student implementations are graded right by the chapters' own test cells.

tests/student_variants/<chapter>/ holds implementations written without looking at the
solutions or the checks, with a manifest saying which are correct. Every correct one must get
full marks for its function; every wrong one must lose marks, with a message. The test cells
run in a namespace built by the notebook's own setup cell, as in the kernel, and with a grading
key (one per variant), so hidden cells draw their inputs as they do when a class is graded.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import io
import json
import runpy
from pathlib import Path

import matplotlib
import nbformat
import pytest

from autograder import checks
from tests.grading_cells import cells_for, grade_cells

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent
VARIANTS = REPO / "tests" / "student_variants"
# variants folder -> source assignment
CHAPTERS = {"taxonomy": "01-ml-taxonomy", "validation": "02-validation",
            "preprocessing": "03-preprocessing", "fitting": "04-fitting",
            "regularization": "05-weight-regularization", "dropout": "06-dropout",
            "workflow": "07-workflow"}


def _notebook(chapter: str) -> Path:
    return next((REPO / "source" / CHAPTERS[chapter]).glob("*.ipynb"))


def _present() -> list[str]:
    return [c for c in CHAPTERS if (VARIANTS / c / "manifest.json").exists()
            and (REPO / "source" / CHAPTERS[c]).is_dir()]


@functools.cache
def _setup_namespace(chapter: str) -> dict:
    """Run the notebook's locked setup cell, as the kernel does before any test cell."""
    nb = nbformat.read(_notebook(chapter), as_version=4)
    setup = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(setup[0].source, "setup", "exec"), namespace)
    return namespace


def _variants():
    for chapter in _present():
        for entry in json.loads((VARIANTS / chapter / "manifest.json").read_text()):
            yield pytest.param(chapter, entry, id=f"{chapter}/{entry['file'][:-3]}")


def _grade(chapter: str, entry: dict):
    module = runpy.run_path(str(VARIANTS / chapter / entry["file"]))
    cells = cells_for(_notebook(chapter), entry["function"])
    assert cells, f"no test cells for {entry['function']} in {CHAPTERS[chapter]}"
    namespace = dict(_setup_namespace(chapter))
    namespace[entry["function"]] = module[entry["function"]]
    checks.set_grading_key(hashlib.sha256(f"{chapter}/{entry['file']}".encode()).digest())
    try:
        return grade_cells(cells, namespace)
    finally:
        checks.set_grading_key(None)


@pytest.mark.parametrize("chapter, entry", list(_variants()))
def test_variant_graded_right(chapter, entry):
    outcomes = _grade(chapter, entry)
    lost = [o for o in outcomes if not o.passed]
    if entry["correct"]:
        assert not lost, "a correct implementation lost points:\n" + "\n".join(
            f"{o.grade_id}: {o.message}" for o in lost)
    else:
        assert lost, f"a wrong implementation ({entry['mistake']}) got full marks"
        for o in lost:
            assert o.message.strip(), f"{o.grade_id} failed without a message"


def _graded_functions(assignment: str) -> set[str]:
    nb = nbformat.read(next((REPO / "source" / assignment).glob("*.ipynb")), as_version=4)
    names = set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and any(isinstance(n, ast.FunctionDef) for n in ast.parse(cell.source).body):
            names.add(meta["grade_id"])
    return names


@pytest.mark.parametrize("chapter", _present())
def test_manifest_covers_every_graded_function(chapter):
    manifest = json.loads((VARIANTS / chapter / "manifest.json").read_text())
    for function in _graded_functions(CHAPTERS[chapter]):
        kinds = {e["correct"] for e in manifest if e["function"] == function}
        assert kinds == {True, False}, f"{function} needs correct and wrong variants"


def test_every_chapter_with_graded_functions_has_variants():
    for assignment in sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir()):
        if _graded_functions(assignment):
            assert assignment in CHAPTERS.values() and any(
                CHAPTERS[c] == assignment for c in _present()), f"{assignment} has no variants"
