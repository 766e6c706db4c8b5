"""Independent student implementations are graded right by the chapter's own test cells.

tests/student_variants/<chapter>/ holds implementations written without looking at the
solutions or the checks, with a manifest saying which are correct. Every correct one must get
full marks for its function; every wrong one must lose marks, with a message.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import validation as validation_checks
from tests.grading_cells import cells_for, grade_cells

REPO = Path(__file__).resolve().parent.parent
VARIANTS = REPO / "tests" / "student_variants"
CHAPTERS = {
    "validation": (REPO / "source" / "02-validation" / "validation.ipynb", validation_checks),
}


def _variants():
    for chapter in CHAPTERS:
        manifest = json.loads((VARIANTS / chapter / "manifest.json").read_text())
        for entry in manifest:
            yield pytest.param(chapter, entry, id=f"{chapter}/{entry['file'][:-3]}")


def _grade(chapter: str, entry: dict):
    notebook, checks = CHAPTERS[chapter]
    module = runpy.run_path(str(VARIANTS / chapter / entry["file"]))
    function = module[entry["function"]]
    cells = cells_for(notebook, entry["function"])
    assert cells, f"no test cells for {entry['function']} in {notebook.name}"
    return grade_cells(cells, {"np": np, "checks": checks, entry["function"]: function})


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


def test_manifest_covers_every_graded_function():
    manifest = json.loads((VARIANTS / "validation" / "manifest.json").read_text())
    functions = {"holdout_split", "k_fold_indices", "shuffled_k_fold_indices",
                 "iterated_k_fold_indices", "time_ordered_split"}
    for function in functions:
        kinds = {e["correct"] for e in manifest if e["function"] == function}
        assert kinds == {True, False}, f"{function} needs correct and wrong variants"
