"""Unit tests of the autograder package: check helpers, samples, hygiene, the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from autograder import checks
from autograder.demo.samples import (
    MISTAKES,
    answer_cells,
    mistaken_notebook,
    reference_notebook,
    strip_solution_markers,
)
from autograder.pipeline.notebooks import clean, hygiene_problems
from tests.paths import REPO

SOURCE = REPO / "source" / "02-validation" / "validation.ipynb"
RELEASE = REPO / "release" / "02-validation" / "validation.ipynb"


def test_as_index_array_names_the_problem():
    assert checks.as_index_array([3, 1], "idx").dtype == np.int64
    for value, fragment in [(np.array([True, False]), "boolean mask"), (np.array([1.0, 2.0]), "floats"),
                            (np.zeros((2, 2), int), "one-dimensional"), (["a"], "integer indices")]:
        with pytest.raises(checks.CheckFailed, match=fragment):
            checks.as_index_array(value, "idx")


def test_call_student_reports_stubs_and_crashes():
    def stub(n):
        raise NotImplementedError()

    def crash(n):
        return 1 / 0

    with pytest.raises(checks.CheckFailed, match="not implemented yet"):
        checks.call_student(stub, 3)
    with pytest.raises(checks.CheckFailed, match=r"crash\(3\) raised ZeroDivisionError"):
        checks.call_student(crash, 3)


def test_expect_value_error():
    def strict(n, k):
        if k < 2:
            raise ValueError("bad k")

    checks.expect_value_error(strict, 10, 1, why="k < 2")
    with pytest.raises(checks.CheckFailed, match="returned normally"):
        checks.expect_value_error(strict, 10, 3, why="k < 2")
    with pytest.raises(checks.CheckFailed, match="raised TypeError"):
        checks.expect_value_error(lambda n, k: None + 1, 10, 1, why="k < 2")


def test_as_split_list_accepts_generators_and_rejects_arrays():
    splits = checks.as_split_list(((np.arange(2), [2]) for _ in range(2)), "f()")
    assert len(splits) == 2
    with pytest.raises(checks.CheckFailed, match="list of"):
        checks.as_split_list(np.arange(4), "f()")


def test_reference_and_mistaken_samples():
    source, release = nbformat.read(SOURCE, as_version=4), nbformat.read(RELEASE, as_version=4)
    reference = reference_notebook(source, release)
    for grade_id, cell in answer_cells(reference).items():
        assert "NotImplementedError" not in cell.source and "### BEGIN SOLUTION" not in cell.source
        assert cell.source == strip_solution_markers(answer_cells(source)[grade_id].source)
    mistake = MISTAKES["02-validation"]
    mistaken = mistaken_notebook(reference, mistake)
    changed = [g for g, c in answer_cells(mistaken).items() if c.source != answer_cells(reference)[g].source]
    assert changed == [mistake.grade_id]
    # metadata nbgrader relies on is untouched
    assert [c.metadata for c in mistaken.cells] == [c.metadata for c in release.cells]


def test_clean_keeps_only_checked_outputs():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print(1)", execution_count=5,
                                  outputs=[nbformat.v4.new_output("stream", text="1\n")]),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(2)", execution_count=9,
                                  outputs=[nbformat.v4.new_output("stream", text="2\n"),
                                           nbformat.v4.new_output("stream", name="stderr", text="w")]),
    ])
    assert len(hygiene_problems(nb)) == 4
    clean(nb)
    assert hygiene_problems(nb) == []
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count is None
    assert [o.text for o in nb.cells[1].outputs] == ["2\n"] and nb.cells[1].execution_count == 1


def test_cli_release_check_and_clean_check_pass_on_the_repo():
    run = subprocess.run([sys.executable, "-m", "autograder", "clean", "--check", str(SOURCE)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_cli_grade_rejects_an_unknown_assignment(tmp_path):
    (tmp_path / "source").mkdir()
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", str(tmp_path), "grade",
                          "no-such-chapter"], capture_output=True, text=True)
    assert run.returncode != 0 and "no assignment 'no-such-chapter'" in run.stderr


def test_grade_table_columns_line_up_for_long_names():
    from autograder.pipeline.results import StudentResult
    from autograder.pipeline.tables import format_table

    table = format_table([
        StudentResult("demo-reference", "05-weight-regularization", 24, 24, True, True, 22.5),
        StudentResult("broken", "02-validation", 0, 17, False, False, 1.0, ["autograde failed: NotJSONError: x"]),
    ])
    rows = [line for line in table.splitlines() if not line.startswith(("-", "    !"))]
    assert len({line.index("score") if i == 0 else None for i, line in enumerate(rows)} - {None}) == 1
    score_column = rows[0].index("score") + len("score")
    assert rows[1][:score_column].rstrip().endswith("24.0") and rows[2][:score_column].rstrip().endswith("0.0")
    assert "NOT GRADED" in table and "NotJSONError" in table


def test_a_course_folder_named_course_in_the_working_folder_does_not_shadow_the_package(tmp_path):
    """Check that `python -m autograder` run beside a course folder called `course/` imports the package."""
    course = tmp_path / "course"
    course.mkdir()
    for name in ("source", "release"):
        shutil.copytree(REPO / name, course / name)
    (course / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    run = subprocess.run([sys.executable, "-m", "autograder", "--course-dir", "course", "grade", "01-ml-taxonomy",
                          "--workers", "1"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "TypeError" not in run.stderr
