"""Per-submission grading keys (autograder.pipeline.keys): secret, per student, repeatable, new on resubmission."""

from __future__ import annotations

from autograder import layout
from autograder.pipeline.keys import grading_key


def test_grading_keys_are_secret_per_student_and_repeatable(tmp_path):
    key = grading_key(tmp_path, "02-validation", "ada")
    secret = tmp_path / layout.GRADING_SECRET_FILE
    assert secret.stat().st_mode & 0o777 == 0o600
    assert grading_key(tmp_path, "02-validation", "ada") == key
    assert grading_key(tmp_path, "02-validation", "bob") != key
    assert grading_key(tmp_path, "03-preprocessing", "ada") != key
    secret.write_text("00" * 32)  # another course: other keys
    assert grading_key(tmp_path, "02-validation", "ada") != key


def test_a_resubmission_draws_new_hidden_inputs(tmp_path):
    first = grading_key(tmp_path, "02-validation", "ada", "digest-1")
    assert grading_key(tmp_path, "02-validation", "ada", "digest-1") == first
    assert grading_key(tmp_path, "02-validation", "ada", "digest-2") != first


def test_the_course_secret_is_made_once_and_keys_depend_on_assignment_student_and_submission(tmp_path):
    """Check that the secret is created on first use (mode 600) and every key input changes the key."""
    first = grading_key(tmp_path, "a", "s", "x")
    secret = layout.CourseLayout(tmp_path).grading_secret()
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_text()) == 64
    assert grading_key(tmp_path, "a", "s", "x") == first
    assert len({first, grading_key(tmp_path, "b", "s", "x"), grading_key(tmp_path, "a", "t", "x"),
                grading_key(tmp_path, "a", "s", "y")}) == 4
