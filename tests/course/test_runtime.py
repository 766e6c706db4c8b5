"""Fast mode and seeding (course.runtime)."""

from __future__ import annotations

import numpy as np
import pytest

from course import runtime


@pytest.mark.parametrize("env, fast", [
    ({}, False), ({"COURSE_FAST": "1"}, True), ({"COURSE_FAST": "0"}, False),
    ({"NBGRADER_EXECUTION": "autograde"}, True), ({"NBGRADER_EXECUTION": "validate"}, True),
])
def test_fast_mode_follows_the_environment(monkeypatch, env, fast):
    monkeypatch.delenv("COURSE_FAST", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert runtime.is_fast_mode() is fast
    assert runtime.pick(full=100, fast=5) == (5 if fast else 100)
    assert ("fast" in runtime.describe()) is fast
    # an explicit argument wins over the environment, both ways
    assert runtime.fast_mode() is fast and runtime.fast_mode(not fast) is (not fast)
    assert runtime.pick(full=100, fast=5, override=not fast) == (100 if fast else 5)


def test_seed_everything_repeats_numpy_and_python_streams():
    import random

    runtime.seed_everything(3)
    first = (np.random.rand(3), random.random())
    runtime.seed_everything(3)
    again = (np.random.rand(3), random.random())
    assert np.array_equal(first[0], again[0]) and first[1] == again[1]
    with pytest.raises(TypeError):
        runtime.seed_everything("3")


