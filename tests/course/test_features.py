"""Chapter 03 helpers (course.features): samples to reach a score, claims 13 and 14, the feature-selection leak."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from course import features


# ---------------------------------------------------------------------------- features.py
def test_samples_to_reach_uses_the_first_size_at_the_target():
    import pandas as pd

    frame = pd.DataFrame({"representation": ["a"] * 3 + ["b"] * 2,
                          "training samples": [10, 20, 40, 10, 20],
                          "accuracy": [0.5, 0.95, 0.97, 0.2, 0.3]})
    assert features.samples_to_reach(frame, 0.9) == {"a": 20.0, "b": float("inf")}


def test_claim_13_holds_in_fast_mode():
    held, figures, summary = features.clock_angles_sample_efficiency_claim([0, 1, 2, 3, 4], fast=True)
    assert held, summary
    assert figures["angles_samples_max"] < figures["largest_size"] / 8
    assert figures["angles_samples_max"] < figures["pixels_samples_min"]
    assert "angles" in summary and "(" in summary  # each figure with its spread


def test_claim_14_holds_in_fast_mode():
    held, figures, summary = features.preprocessing_leak_claim([0, 1, 2, 3, 4], fast=True)
    assert held, summary
    assert figures["honest_max"] < figures["leaky_min"]
    assert figures["tuned_on_test_reported_mean"] > figures["tuned_on_test_fresh_mean"]
    assert figures["honest_tuning_inflation_max"] < figures["tuning_inflation_min"]


def test_selection_before_cross_validation_inflates_the_score_on_noisy_real_data():
    x, y = features.diabetes_above_median()
    leak = features.selection_leak(x, y, seed=0, size=features.selection_leak_size(fast=True))
    assert leak.leaky > leak.honest + 0.05, leak
    # the honest score is a real score: above always guessing the majority class
    assert leak.honest > leak.majority + 0.05, leak
    # a scaler fitted on all rows uses no labels: it changes almost nothing here
    assert abs(leak.scaled_on_all - leak.honest) < 0.05, leak


def test_selection_inside_the_folds_is_at_chance_when_labels_are_random():
    """With labels shuffled, no feature says anything: the honest protocol must score about the
    majority rate, while selecting on all rows still reports far more."""
    x, y = features.diabetes_above_median()
    size = replace(features.selection_leak_size(fast=True), n_repeats=3)
    leaks = [features.selection_leak(x, np.random.default_rng(100 + seed).permutation(y), seed, size)
             for seed in range(3)]
    honest = np.mean([leak.honest for leak in leaks])
    majority = np.mean([leak.majority for leak in leaks])
    assert abs(honest - 0.5) < 0.08 and honest < majority + 0.03, leaks
    assert min(leak.leaky for leak in leaks) > 0.7, leaks


def test_selection_leak_is_seeded_and_its_sizes_are_checked():
    x, y = features.diabetes_above_median()
    size = features.selection_leak_size(fast=True)
    assert features.selection_leak(x, y, 3, size) == features.selection_leak(x, y, 3, size)
    assert features.selection_leak(x, y, 3, size) != features.selection_leak(x, y, 4, size)
    assert x.shape == (442, 10) and set(np.unique(y)) == {0, 1}
    assert abs(y.mean() - 0.5) < 0.01  # split at the median


