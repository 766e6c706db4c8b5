"""Unit tests of course.capacity, chapter 04's experiment (its checks: tests/autograder/checks/test_fitting.py)."""

from __future__ import annotations

import numpy as np
import pytest

from course import capacity
from tests.solutions import solution


# ------------------------------------------------------------------------------ the models
def test_the_three_networks_grow_in_capacity():
    sizes = list(capacity.CAPACITY_MODELS.values())
    params = [sum(a * b + b for a, b in zip((784, *hidden), (*hidden, 10))) for hidden in sizes]
    assert params == sorted(params) and params[-1] > 10 * params[0]
    assert capacity.spec_for((32, 32)).hidden == (32, 32)
    assert capacity.settings(fast=False).epochs == 40 and capacity.settings(fast=True).epochs < 40


# ------------------------------------------------------------------------------ claim 1's judge
def _curve(best: int, length: int, rise: float) -> list[float]:
    """Falls to its minimum at epoch ``best`` (from 1), then rises by ``rise`` per epoch."""
    return [1.0 - 0.01 * e if e <= best else 1.0 - 0.01 * best + rise * (e - best) for e in range(1, length + 1)]


def test_claim_1_holds_when_the_smaller_network_is_later_and_slower():
    held, why = capacity.judge_smaller_network_peaks_later([_curve(25, 40, 0.002)] * 3, [_curve(8, 40, 0.01)] * 3)
    assert held, why


@pytest.mark.parametrize("smaller, reference, words", [
    (_curve(8, 40, 0.002), _curve(8, 40, 0.01), "not later"),  # same epoch
    (_curve(20, 40, 0.02), _curve(8, 40, 0.01), "rises as fast"),  # later but steeper
    (_curve(40, 40, 0.0), _curve(8, 40, 0.01), "cannot be measured"),  # still improving at the end
    (_curve(37, 40, 0.0), _curve(8, 40, 0.01), "cannot be measured"),  # too close to the end
])
def test_claim_1_fails_when_either_half_fails_or_cannot_be_measured(smaller, reference, words):
    held, why = capacity.judge_smaller_network_peaks_later([_curve(25, 40, 0.002), smaller],
                                                           [_curve(8, 40, 0.01), reference])
    assert not held and words in why and why.startswith("curve 1")


def test_claim_1_needs_matching_curves():
    with pytest.raises(ValueError):
        capacity.judge_smaller_network_peaks_later([], [])


# -------------------------------------------------------------------- reading the curves
def test_degradation_rate():
    assert capacity.degradation_rate([0.5, 0.4, 0.3]) == 0.0
    assert capacity.degradation_rate([0.5, 0.2, 0.4, 0.6]) == pytest.approx(0.2)


def test_capacity_table_accepts_student_functions():
    histories = {"a": {"loss": [0.9, 0.5], "val_loss": [0.8, 0.9]},
                 "b": {"loss": [0.9, 0.1], "val_loss": [1.0, 0.7]}}
    table = capacity.capacity_table(histories, onset=lambda v: 99, gap=lambda h: -1.0)
    assert table.loc["a", "best epoch"] == 99
    assert table.loc["b", "gap"] == -1.0
    # with the chapter's solutions: the first lowest validation loss, the last epoch's gap
    table = capacity.capacity_table(histories, onset=solution("04-fitting", "overfitting_onset"),
                                    gap=solution("04-fitting", "generalization_gap"))
    assert table["best epoch"].tolist() == [1, 2]
    assert table["gap"].tolist() == pytest.approx([0.4, 0.6])


# ------------------------------------------------------------------- the claims (fast runs)
@pytest.fixture(scope="module")
def fast_claims():
    return (capacity.smaller_network_peaks_later_claim([0, 1], True),
            capacity.larger_network_overfits_early_claim([0, 1], True))


def test_claim_1_fast_run_reports_figures(fast_claims):
    held, figures, summary = fast_claims[0]
    assert isinstance(held, bool)
    for key in ("smaller_best_epoch_mean", "reference_best_epoch_mean",
                "smaller_rise_per_epoch_mean", "reference_rise_per_epoch_mean"):
        assert np.isfinite(figures[key])
    assert 1 <= figures["reference_best_epoch_mean"] <= figures["epochs"]
    assert "lowest val loss" in summary and "(" in summary  # mean (min-max)


def test_claim_2_fast_run_reports_figures(fast_claims):
    held, figures, summary = fast_claims[1]
    assert isinstance(held, bool)
    for key in ("larger_best_epoch_mean", "larger_final_train_loss_mean", "larger_gap_mean",
                "reference_gap_mean", "smaller_gap_mean"):
        assert np.isfinite(figures[key])
    # Even in the short run the 512-512 network fits its training data better than the 32-32 one.
    assert figures["larger_final_train_loss_mean"] < figures["smaller_final_train_loss_mean"]
    assert "larger" in summary
