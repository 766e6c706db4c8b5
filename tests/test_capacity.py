"""Unit tests of course.capacity (chapter 04's experiment) and autograder.checks.fitting."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import fitting as checks
from course import capacity
from tests.solutions import solution


# ------------------------------------------------------------------------------ the data
def test_capacity_data_shapes_and_standardization():
    config = capacity.FULL
    data = capacity.make_capacity_data(seed=3, config=config)
    assert data.x_train.shape == (config.n_train, 30)
    assert data.x_val.shape == (config.n_val, 30)
    assert data.x_train.dtype == np.float32
    assert set(np.unique(data.y_val)) == {0, 1}
    # standardized with the training statistics only
    np.testing.assert_allclose(data.x_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(data.x_train.std(axis=0), 1.0, atol=1e-4)
    assert np.abs(data.x_val.mean(axis=0)).max() > 1e-3
    again = capacity.make_capacity_data(seed=3, config=config)
    np.testing.assert_array_equal(data.x_train, again.x_train)
    np.testing.assert_array_equal(data.y_train, again.y_train)
    other = capacity.make_capacity_data(seed=4, config=config)
    assert not np.array_equal(data.y_train, other.y_train)


def test_label_noise_flips_only_training_labels():
    clean = capacity.make_capacity_data(0, capacity.CapacitySettings(label_noise=0.0))
    noisy = capacity.make_capacity_data(0, capacity.CapacitySettings(label_noise=0.5))
    np.testing.assert_array_equal(clean.y_val, noisy.y_val)
    changed = np.mean(clean.y_train != noisy.y_train)
    assert 0.35 < changed < 0.65


def test_too_many_samples_is_a_value_error():
    with pytest.raises(ValueError):
        capacity.make_capacity_data(0, capacity.CapacitySettings(n_train=400, n_val=200))


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


# ------------------------------------------------------------------- the claims (fast runs)
@pytest.fixture(scope="module")
def fast_claims():
    return capacity.measure_claim_1([0, 1, 2], True), capacity.measure_claim_2([0, 1, 2], True)


def test_claim_1_fast_run_reports_figures(fast_claims):
    held, figures, summary = fast_claims[0]
    assert isinstance(held, bool)
    for key in ("smaller_best_epoch_mean", "reference_best_epoch_mean",
                "smaller_rise_per_epoch_mean", "reference_rise_per_epoch_mean"):
        assert np.isfinite(figures[key])
    assert 1 <= figures["reference_best_epoch_mean"] <= figures["epochs"]
    assert "best epoch" in summary


def test_claim_2_fast_run_reports_figures(fast_claims):
    held, figures, summary = fast_claims[1]
    assert isinstance(held, bool)
    for key in ("larger_best_epoch_mean", "larger_final_train_loss_mean", "larger_gap_mean",
                "reference_gap_mean", "smaller_gap_mean"):
        assert np.isfinite(figures[key])
    # The 512-512 network fits its training data far better than the 16-16 one.
    assert figures["larger_final_train_loss_mean"] < figures["reference_final_train_loss_mean"]
    assert "larger" in summary
