"""Chapter 04's checks (autograder.checks.fitting) accept correct answers and name each misconception."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import fitting as checks


# ----------------------------------------------------------------------------- the checks
def _count(input_dim, layer_sizes):
    total, previous = 0, input_dim
    for units in layer_sizes:
        total += previous * units + units
        previous = units
    return total


def test_count_check_accepts_correct_and_names_missing_bias():
    checks.check_count_parameters(_count, 64, [16, 10])
    checks.check_count_parameters(_count, 5, [])
    no_bias = lambda d, sizes: sum(a * b for a, b in zip([d] + list(sizes[:-1]), sizes))  # noqa: E731
    with pytest.raises(CheckFailed, match="bias"):
        checks.check_count_parameters(no_bias, 64, [16, 10])


def test_onset_check_names_misconceptions():
    checks.check_overfitting_onset(lambda v: int(np.argmin(v)) + 1, [0.5, 0.2, 0.2, 0.9])
    with pytest.raises(CheckFailed, match="count from 1"):
        checks.check_overfitting_onset(lambda v: int(np.argmin(v)), [0.5, 0.2, 0.9])
    last = lambda v: len(v) - int(np.argmin(np.asarray(v)[::-1]))  # noqa: E731
    with pytest.raises(CheckFailed, match="FIRST"):
        checks.check_overfitting_onset(last, [0.5, 0.2, 0.2, 0.9])
    with pytest.raises(CheckFailed, match="argmax"):
        checks.check_overfitting_onset(lambda v: int(np.argmax(v)) + 1, [0.5, 0.2, 0.9])
    with pytest.raises(CheckFailed, match="ValueError"):
        checks.check_overfitting_onset_empty(lambda v: 0)


def test_gap_check_names_misconceptions():
    good = lambda h: float((h.history if hasattr(h, "history") else h)["val_loss"][-1]  # noqa: E731
                           - (h.history if hasattr(h, "history") else h)["loss"][-1])
    checks.check_generalization_gap_both_kinds(good, 0)
    record = {"loss": [0.9, 0.5, 0.2], "val_loss": [1.3, 0.7, 0.8]}
    with pytest.raises(CheckFailed, match="sign"):
        checks.check_generalization_gap(lambda h: h["loss"][-1] - h["val_loss"][-1], record)
    with pytest.raises(CheckFailed, match="FIRST"):
        checks.check_generalization_gap(lambda h: h["val_loss"][0] - h["loss"][0], record)
    with pytest.raises(CheckFailed):
        checks.check_generalization_gap(lambda h: h["val_loss"][-1] - h["loss"][-1],
                                        checks.FakeHistory(record))


