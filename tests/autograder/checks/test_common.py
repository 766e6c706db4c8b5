"""The helpers every chapter's checks share (autograder.checks): index arrays, calls of a student's
function, expected errors, lists of splits, hidden seeds drawn from the grading key."""

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


def test_hidden_seeds_are_fixed_in_the_notebook_and_drawn_from_the_grading_key():
    try:
        checks.set_grading_key(None)
        assert checks.hidden_seeds(range(3)) == [0, 1, 2]
        checks.set_grading_key(b"key one")
        first, second = checks.hidden_seeds(range(3)), checks.hidden_seeds(range(3))
        assert first != [0, 1, 2] and first != second  # every call draws new seeds
        assert all(0 <= s < checks.SEED_BOUND for s in first + second)
        checks.set_grading_key(b"key one")
        assert checks.hidden_seeds(range(3)) == first  # regrading repeats the draws
        checks.set_grading_key(b"key two")
        assert checks.hidden_seeds(range(3)) != first
    finally:
        checks.set_grading_key(None)
    assert checks.hidden_rng(5).integers(10**9) == np.random.default_rng(5).integers(10**9)
