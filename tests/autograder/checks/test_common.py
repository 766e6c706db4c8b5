"""The helpers every chapter's checks share (autograder.checks): index arrays, calls of a student's
function, expected errors, lists of splits."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import checks


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


