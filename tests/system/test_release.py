"""release/ is exactly what nbgrader generates from source/, and the check can fail."""

from __future__ import annotations

import nbformat

from autograder.demo.course_folder import copy_course
from autograder.pipeline.release import list_assignments, release_differences
from tests.paths import REPO


def test_release_is_in_sync_with_source():
    problems = release_differences(REPO)
    assert not problems, "run `make release` and commit:\n" + "\n".join(problems)


def test_every_source_assignment_is_released():
    for assignment in list_assignments(REPO):
        assert (REPO / "release" / assignment).is_dir()


def test_a_source_edit_without_regenerating_is_detected(tmp_path):
    course = tmp_path / "course"
    copy_course(course)
    notebook = course / "source" / "02-validation" / "validation.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source += "\n\nAn edit nobody regenerated."
    nbformat.write(nb, notebook)
    problems = release_differences(course)
    assert problems == ["differs from what source/ generates: release/02-validation/validation.ipynb"]
