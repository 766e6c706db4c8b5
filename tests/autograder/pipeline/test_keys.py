"""Per-submission grading keys (autograder.pipeline.keys): secret, per student, repeatable, new on resubmission."""

from __future__ import annotations

from autograder.layout import GRADING_SECRET_FILE
from autograder.pipeline.keys import grading_key


def test_grading_keys_are_secret_per_student_and_repeatable(tmp_path):
    key = grading_key(tmp_path, "02-validation", "ada")
    secret = tmp_path / GRADING_SECRET_FILE
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
