"""Exercise rules through the real pipeline: `python -m autograder grade` on a fresh course directory.

Two students of chapter 02: one hands in the reference solution; the other the same notebook with
``k_fold_indices`` written with scikit-learn's KFold, which chapter 02's rule forbids (the checks
alone would give it full marks). The cheat's k_fold_indices cells score 0, the rest of its notebook
keeps its points (``shuffled_k_fold_indices`` calls the cheating function, and is not blamed for it),
and the violation is in grades.csv, the summary and the feedback. With the course setting
``c.ExerciseRules.on_violation = "flag"`` the same submission keeps its points and stays flagged.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.demo.course_folder import copy_course
from autograder.demo.samples import answer_cells, reference_notebook
from tests.paths import REPO, STUDENT_VARIANTS

ASSIGNMENT = "02-validation"
HONEST, CHEAT = "rules-honest", "rules-kfold"
CHEAT_VARIANT = STUDENT_VARIANTS / "validation" / "k_fold_indices__sklearn_kfold.py"

pytestmark = pytest.mark.grading


def _points() -> dict[str, float]:
    nb = nbformat.read(next((REPO / "source" / ASSIGNMENT).glob("*.ipynb")), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


def _grade(course: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course), "grade", ASSIGNMENT],
                          capture_output=True, text=True, timeout=900)


def _rows(course: Path) -> dict[str, dict]:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("rules-course")
    copy_course(course, [ASSIGNMENT])
    name = next((REPO / "source" / ASSIGNMENT).glob("*.ipynb")).name
    reference = reference_notebook(nbformat.read(REPO / "source" / ASSIGNMENT / name, as_version=4),
                                   nbformat.read(REPO / "release" / ASSIGNMENT / name, as_version=4))
    for student in (HONEST, CHEAT):
        nb = reference
        if student == CHEAT:
            nb = nbformat.from_dict(reference)
            answer_cells(nb)["k_fold_indices"].source = CHEAT_VARIANT.read_text().rstrip("\n")
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / name)
    return course


@pytest.fixture(scope="module")
def withheld(course):
    run = _grade(course)
    assert run.returncode == 0, run.stdout + run.stderr
    return run, _rows(course)


def test_a_broken_rule_costs_that_functions_points_only(withheld):
    _, rows = withheld
    points = _points()
    k_fold = sum(p for g, p in points.items() if g.startswith("test_k_fold_indices_"))
    assert float(rows[HONEST]["score"]) == sum(points.values()) and rows[HONEST]["flags"] == ""
    assert float(rows[CHEAT]["score"]) == sum(points.values()) - k_fold


def test_the_violation_is_in_the_export_the_summary_and_the_feedback(course, withheld):
    run, rows = withheld
    flag = "k_fold_indices breaks its exercise rule (do not use `sklearn.model_selection`)"
    assert flag in rows[CHEAT]["flags"] and "points withheld" in rows[CHEAT]["flags"]
    assert "shuffled_k_fold_indices" not in rows[CHEAT]["flags"]
    assert "not confirmed" not in rows[CHEAT]["flags"]  # the kernel passes it by design: the rule says why
    assert flag in run.stdout  # the summary of flagged submissions
    page = next((course / "feedback" / CHEAT / ASSIGNMENT).glob("*.html")).read_text()
    assert "Exercise rule broken" in page and "withheld: k_fold_indices breaks its exercise rule" in page
    assert "line 5 of its answer cell" in page  # the import inside the function


def test_the_course_can_keep_the_points_and_only_flag(course, withheld):
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + '\nc.ExerciseRules.on_violation = "flag"\n')
    run = _grade(course)  # the setting is a grading input: both students are graded again
    assert run.returncode == 0, run.stdout + run.stderr
    rows = _rows(course)
    assert float(rows[CHEAT]["score"]) == sum(_points().values())
    assert "k_fold_indices breaks its exercise rule" in rows[CHEAT]["flags"]
    assert "flagged only" in rows[CHEAT]["flags"]
