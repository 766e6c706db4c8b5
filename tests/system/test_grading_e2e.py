"""The real pipeline end to end: `python -m autograder grade` on a fresh course directory.

Sample students: the reference solution (full marks), the untouched release (0, no crash),
one realistic mistake (an exact partial score) and a malformed notebook (a grade row of 0,
without stopping the others). Submitted files must come out unchanged.
"""

from __future__ import annotations

import atexit
import csv
import functools
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder.demo.course_folder import copy_course
from autograder.demo.samples import BLANK, MISTAKEN, REFERENCE, write_sample_submissions
from tests.paths import REPO

BROKEN = "demo-broken-json"
NOISY = "demo-reference-with-warnings"

# assignment -> (test cells the mistaken sample must fail, its exact score)
EXPECTED_MISTAKEN = {
    "01-ml-taxonomy": ({"test_last_layer_for_multilabel"}, 15.0),
    "02-validation": (
        {"test_k_fold_indices_visible", "test_k_fold_indices_matches_sklearn",
         "test_shuffled_k_fold_indices_visible", "test_shuffled_k_fold_indices_partition",
         "test_iterated_k_fold_indices_visible", "test_iterated_k_fold_indices_partition"},
        15.0,
    ),
    "03-preprocessing": (
        {"test_standardize_visible", "test_standardize_train_stats_only",
         "test_standardize_float32_and_inputs"},
        16.0,
    ),
    "04-fitting": ({"test_overfitting_onset_visible", "test_overfitting_onset_ties_and_plateaus",
                    "test_overfitting_onset_empty"}, 7.0),
    "05-weight-regularization": ({"test_l2_cost_visible", "test_l2_cost_random_inputs"}, 27.0),
    # network_forward calls the student's own dropout_forward: its mistake costs the network too
    "06-dropout": ({"test_dropout_forward_visible", "test_dropout_forward_inverted_scaling",
                    "test_dropout_forward_matches_keras", "test_network_forward_visible",
                    "test_network_forward_random_networks", "test_network_forward_matches_keras"}, 26.0),
    "07-workflow": ({"test_early_stopping_epoch_visible", "test_early_stopping_epoch_matches_keras",
                     "test_early_stopping_epoch_edge_cases", "test_early_stopping_epoch_agrees_with_fit"},
                    31.0),
}


def _points(assignment: str) -> dict[str, float]:
    nb = nbformat.read(next((REPO / "source" / assignment).glob("*.ipynb")), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# The robustness students (a malformed notebook, a noisy reference) are graded in one
# assignment only: what they test does not depend on the chapter, and each costs a kernel run.
ROBUSTNESS_ASSIGNMENT = "02-validation"


def _add_robustness_students(course: Path, assignment: str) -> None:
    broken = course / "submitted" / BROKEN / assignment
    broken.mkdir(parents=True)
    (broken / next((course / "release" / assignment).glob("*.ipynb")).name).write_text(
        '{"cells": [ this is not JSON')
    # The reference again, but every answer also emits warnings on stderr: harmless warnings
    # must not cost points (nbgrader fails a test cell on any stderr unless it is filtered).
    noisy = course / "submitted" / NOISY / assignment
    shutil.copytree(course / "submitted" / REFERENCE / assignment, noisy)
    for path in noisy.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution") and cell.source.startswith("def "):
                head, _, body = cell.source.partition(":\n")
                cell.source = (head + ":\n    import warnings\n"
                               "    warnings.warn('this API is deprecated', DeprecationWarning)\n"
                               "    warnings.warn('a harmless user warning', UserWarning)\n" + body)
        nbformat.write(nb, path)


@functools.cache
def _graded(assignment: str):
    """Grade the sample class of ``assignment`` once per test session, in a fresh course dir."""
    course = Path(tempfile.mkdtemp(prefix=f"course-{assignment}-"))
    atexit.register(shutil.rmtree, course, True)
    copy_course(course, [assignment])
    write_sample_submissions(course, [assignment])
    if assignment == ROBUSTNESS_ASSIGNMENT:
        _add_robustness_students(course, assignment)
    before = _digests(course / "submitted")
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(course),
                          "grade", assignment], capture_output=True, text=True, timeout=900)
    return assignment, course, run, before


@pytest.fixture(scope="module", params=sorted(EXPECTED_MISTAKEN))
def graded_course(request):
    return _graded(request.param)


@pytest.fixture(scope="module")
def robustness_course():
    return _graded(ROBUSTNESS_ASSIGNMENT)


def _cell_scores(course: Path, assignment: str, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {grade.name: grade.score for notebook in submission.notebooks
                for grade in notebook.grades if grade.cell.cell_type == "code"}


def test_grading_command_succeeds(graded_course):
    _, _, run, _ = graded_course
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_malformed_notebook_is_reported_with_a_zero_row_and_does_not_stop_the_class(robustness_course):
    assignment, course, run, _ = robustness_course
    assert run.returncode == 0, run.stdout + run.stderr
    assert "NOT GRADED" in run.stdout and "NotJSONError" in run.stdout
    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(rows[BROKEN]["score"]) == 0.0
    assert float(rows[REFERENCE]["score"]) == float(rows[REFERENCE]["max_score"])


def test_reference_gets_full_marks(graded_course):
    assignment, course, _, _ = graded_course
    scores = _cell_scores(course, assignment, REFERENCE)
    assert scores == _points(assignment)


def test_harmless_warnings_cost_nothing(robustness_course):
    assignment, course, _, _ = robustness_course
    assert _cell_scores(course, assignment, NOISY) == _points(assignment)
    autograded = nbformat.read(next((course / "autograded" / NOISY / assignment).glob("*.ipynb")),
                               as_version=4)
    stderr = [o.text for c in autograded.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "stream" and o.name == "stderr"]
    assert not any("harmless user warning" in text for text in stderr)  # filtered out


def test_blank_release_gets_zero_on_every_autograded_cell(graded_course):
    assignment, course, _, _ = graded_course
    scores = _cell_scores(course, assignment, BLANK)
    assert set(scores) == set(_points(assignment))
    assert all(score == 0 for score in scores.values()), scores


def test_mistaken_gets_the_exact_partial_score(graded_course):
    assignment, course, _, _ = graded_course
    failing, total = EXPECTED_MISTAKEN[assignment]
    scores = _cell_scores(course, assignment, MISTAKEN)
    assert {g for g, s in scores.items() if s == 0} == failing
    assert sum(scores.values()) == total


def test_every_student_has_a_grade_row_and_graded_ones_feedback(graded_course):
    assignment, course, _, _ = graded_course
    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == assignment}
    extras = {BROKEN, NOISY} if assignment == ROBUSTNESS_ASSIGNMENT else set()
    assert set(rows) == {REFERENCE, BLANK, MISTAKEN} | extras
    assert float(rows[REFERENCE]["score"]) == float(rows[REFERENCE]["max_score"])
    for student in (REFERENCE, BLANK, MISTAKEN):
        assert list((course / "feedback" / student / assignment).glob("*.html")), student


def test_submitted_files_are_never_modified(graded_course):
    _, course, _, before = graded_course
    assert _digests(course / "submitted") == before
