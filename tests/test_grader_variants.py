"""Independent student implementations are graded right by the chapters' own test cells.

tests/student_variants/<chapter>/ holds implementations written without looking at the
solutions or the checks, with a manifest saying which are correct. Every correct one must get
full marks for its function; every wrong one must lose marks, with a message. The test cells
run in a namespace built by the notebook's own setup cell, as in the kernel, and with a grading
key (one per variant), so hidden cells draw their inputs as they do when a class is graded.

Entries marked ``"sandbox": true`` are graded a second time the way a class is: the function in
the sandboxed function server, the test cells in this process (:mod:`autograder.trusted`). There
too a correct one gets full marks and a wrong one loses marks; ``"sandbox_points"`` is the exact
score a wrong one must get there (attacks on what the sandbox reports earn 0), ``"points"`` the
exact score in this process.

A variant whose code raises when it runs (an import of something that does not exist) defines
nothing, as an answer cell that raises in a kernel: its test cells fail on the missing name. The
shortcut variants (``*__shortcut_*``) import an implementation from ``course`` or ``autograder``,
by name, renamed, through ``importlib``/``getattr`` or by scanning the packages: none is there to
find (``tests/test_no_reachable_reference.py``), so they score nothing.
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

from autograder import checks, sandbox, trusted
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


def _variants(sandboxed: bool = False):
    for chapter in _present():
        for entry in json.loads((VARIANTS / chapter / "manifest.json").read_text()):
            if entry.get("sandbox") or not sandboxed:
                yield pytest.param(chapter, entry, id=f"{chapter}/{entry['file'][:-3]}")


def _grading_key(chapter: str, entry: dict) -> bytes:
    return hashlib.sha256(f"{chapter}/{entry['file']}".encode()).digest()


def _grade(chapter: str, entry: dict):
    try:
        module = runpy.run_path(str(VARIANTS / chapter / entry["file"]))
    except Exception:  # noqa: BLE001 - the answer cell raises: nothing it defines exists
        module = {}
    cells = cells_for(_notebook(chapter), entry["function"])
    assert cells, f"no test cells for {entry['function']} in {CHAPTERS[chapter]}"
    namespace = dict(_setup_namespace(chapter))
    namespace.pop(entry["function"], None)
    if entry["function"] in module:
        namespace[entry["function"]] = module[entry["function"]]
    checks.set_grading_key(_grading_key(chapter, entry))
    try:
        return grade_cells(cells, namespace)
    finally:
        checks.set_grading_key(None)


def _grade_in_sandbox(chapter: str, entry: dict) -> list[trusted.CellResult]:
    """Trusted grading of the variant: its source as the answer cell of a sandboxed function server."""
    nb = nbformat.read(_notebook(chapter), as_version=4)
    setup = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    cells = [{"grade_id": c.metadata["nbgrader"]["grade_id"], "points": c.metadata["nbgrader"]["points"],
              "source": c.source} for c in cells_for(_notebook(chapter), entry["function"])]
    function = entry["function"]
    server = trusted.FunctionServer(setup, [(function, (VARIANTS / chapter / entry["file"]).read_text())],
                                    [function], sandbox.DEFAULT_LIMITS)
    try:
        server.ensure_running()
        assert server.defined == [function] or not entry["correct"], server.cell_errors
        return trusted.run_test_cells(setup, cells, server, [function],
                                      grading_key=_grading_key(chapter, entry).hex())
    finally:
        server.close()
        checks.set_grading_key(None)


def _assert_graded_right(entry: dict, results: list, where: str = "") -> None:
    lost = [r for r in results if not r.passed]
    if entry["correct"]:
        assert not lost, f"a correct implementation lost points{where}:\n" + "\n".join(
            f"{r.grade_id}: {r.message}" for r in lost)
    else:
        assert lost, f"a wrong implementation ({entry['mistake']}) got full marks{where}"
        for r in lost:
            assert r.message.strip(), f"{r.grade_id} failed without a message"


@pytest.mark.parametrize("chapter, entry", list(_variants()))
def test_variant_graded_right(chapter, entry):
    results = _grade(chapter, entry)
    _assert_graded_right(entry, results)
    if not entry["correct"] and "points" in entry:
        earned = sum(r.points for r in results if r.passed)
        assert earned == entry["points"], (
            f"{entry['mistake']}: {earned:g} points, expected {entry['points']:g}: "
            + "; ".join(f"{r.grade_id} passed" for r in results if r.passed))


@pytest.mark.parametrize("chapter, entry", list(_variants(sandboxed=True)))
def test_variant_graded_right_in_the_sandbox(chapter, entry):
    results = _grade_in_sandbox(chapter, entry)
    _assert_graded_right(entry, results, " in trusted grading")
    if not entry["correct"] and "sandbox_points" in entry:
        earned = sum(r.points for r in results if r.passed)
        assert earned == entry["sandbox_points"], (
            f"{entry['mistake']}: {earned:g} points in trusted grading, expected {entry['sandbox_points']:g}: "
            + "; ".join(f"{r.grade_id} passed" for r in results if r.passed))


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
