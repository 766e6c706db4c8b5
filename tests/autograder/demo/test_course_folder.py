"""A course folder copied from the checkout (autograder.demo.course_folder)."""

from __future__ import annotations

from autograder.demo.course_folder import copy_course
from autograder.pipeline.release import list_assignments
from tests.paths import REPO


def test_a_copy_holds_the_chosen_assignments_and_the_configuration(tmp_path):
    """Check that named assignments (or every one) are copied, source and release, with nbgrader_config.py."""
    one = copy_course(tmp_path / "one", ["02-validation"])
    assert list_assignments(one) == ["02-validation"]
    assert sorted(p.name for p in (one / "release").iterdir()) == ["02-validation"]
    assert (one / "nbgrader_config.py").read_bytes() == (REPO / "nbgrader_config.py").read_bytes()
    every = copy_course(tmp_path / "every")
    assert list_assignments(every) == list_assignments(REPO)
    assert not (every / "submitted").exists() and not (every / "gradebook.db").exists()
