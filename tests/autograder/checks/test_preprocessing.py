"""Chapter 03 helpers: the clock data, the claim 13/14 experiments and the preprocessing checks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import preprocessing as checks
from course import clock, features
from tests.solutions import solution


def clock_angle_features(hand_tips):
    return solution("03-preprocessing", "clock_angle_features")(hand_tips)


def standardize(train, test):
    return solution("03-preprocessing", "standardize")(train, test)


# ---------------------------------------------------------------------------- clock.py
def test_clock_data_shapes_dtypes_and_seeding():
    data = clock.make_clock_data(30, seed=4, size=20)
    assert data.images.shape == (30, 20, 20) and data.images.dtype == np.float32
    assert data.pixels.shape == (30, 400)
    assert data.hand_tips.shape == (30, 4) and data.angles.shape == (30, 2)
    assert data.images.min() >= 0 and data.images.max() <= 1
    assert set(np.unique(data.hours)) <= set(range(12)) and data.minutes.max() < 60
    again = clock.make_clock_data(30, seed=4, size=20)
    assert np.array_equal(data.images, again.images) and np.array_equal(data.hand_tips, again.hand_tips)
    other = clock.make_clock_data(30, seed=5, size=20)
    assert not np.array_equal(data.hours, other.hours)
    assert len(data.subset(np.arange(5))) == 5


def test_hand_angles_and_tips_follow_the_clock_convention():
    angles = clock.hand_angles(np.array([0, 3, 6, 9, 3]), np.array([0, 15, 30, 45, 30]))
    assert np.allclose(angles[:4, 1], [0, np.pi / 2, np.pi, 3 * np.pi / 2])
    assert np.allclose(angles[4, 0], 3.5 / 12 * 2 * np.pi)  # the hour hand moves on
    tips = clock.tips_from_angles(np.array([[np.pi / 2, 0.0]]), 0.5, 2.0)
    assert np.allclose(tips, [[0.5, 0.0, 0.0, 2.0]])  # 3 o'clock is +x, 12 o'clock is +y
    with pytest.raises(ValueError):
        clock.hand_angles([12], [0])


def test_angles_are_recovered_from_tips_and_the_rule_reads_every_hour():
    data = clock.make_clock_data(500, seed=1)
    assert np.allclose(clock_angle_features(data.hand_tips), data.angles)
    assert np.array_equal(clock.hours_from_angles(data.angles), data.hours)


def test_rendered_hand_points_the_right_way():
    # a lone minute hand at 3 o'clock inks the right half of the middle row, not the left
    image = clock.render_clock_faces(np.array([[0.0, 0.01, 0.9, 0.0]]), size=21)[0]
    middle = image[10]
    assert middle[12:18].mean() > 0.5 and middle[3:9].mean() < 0.1


def test_plot_clock_faces_returns_a_figure():
    import matplotlib

    matplotlib.use("Agg")
    fig = clock.plot_clock_faces(clock.make_clock_data(5, seed=0), count=5, columns=5)
    assert len(fig.axes) == 5


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


# ---------------------------------------------------------------------------- checks accept / reject
def _good_standardize(train, test):
    return standardize(train, test)


def _good_vectorize(sequences, dimension):
    out = np.zeros((len(sequences), dimension), dtype=np.float32)
    for i, s in enumerate(sequences):
        out[i, list(s)] = 1.0
    return out


def test_checks_accept_correct_answers():
    checks.check_standardize(_good_standardize, *checks.shifted_train_test(0))
    checks.check_standardize_train_stats(_good_standardize)
    checks.check_vectorize_sequences(_good_vectorize, checks.random_sequences(0, 10, 15), 15)
    checks.check_vectorize_empty_sequence(_good_vectorize)
    checks.check_to_one_hot(lambda labels, k: np.eye(k, dtype=np.float32)[np.asarray(labels)], [0, 3, 3], 5)
    checks.check_fill_missing(lambda x, fill_value=0.0: np.where(np.isnan(x), fill_value, x),
                              checks.array_with_nans(0), fill_value=2.0)
    x, y = checks.missing_feature_data(0)
    checks.check_augment_with_missing(
        lambda a, b, f, fill_value=0.0: (np.concatenate([a, np.where(np.arange(a.shape[1]) == f, fill_value, a)]),
                                         np.concatenate([b, b])), x, y, 2)
    checks.check_clock_angle_features(clock_angle_features, *checks.clock_cases(0))
    checks.check_clock_angles_ignore_length(clock_angle_features)


@pytest.mark.parametrize("wrong, needle", [
    (lambda tr, te: ((tr - tr.mean(0)) / tr.std(0), (te - te.mean(0)) / te.std(0)), "OWN"),
    (lambda tr, te: ((tr - tr.mean(0)) / tr.std(0, ddof=1), (te - tr.mean(0)) / tr.std(0, ddof=1)), "ddof=1"),
    (lambda tr, te: ((tr - tr.mean(1, keepdims=True)) / tr.std(1, keepdims=True),
                     (te - te.mean(1, keepdims=True)) / te.std(1, keepdims=True)), "per sample"),
])
def test_standardize_check_names_the_mistake(wrong, needle):
    with pytest.raises(CheckFailed, match=needle):
        checks.check_standardize(wrong, *checks.shifted_train_test(1))


def test_standardize_check_rejects_in_place_and_pooled():
    def in_place(train, test):
        mean, std = train.mean(0), train.std(0)
        train -= mean
        train /= std
        return train, (test - mean) / std

    def pooled(train, test):
        both = np.concatenate([train, test])
        return (train - both.mean(0)) / both.std(0), (test - both.mean(0)) / both.std(0)

    with pytest.raises(CheckFailed, match="in place"):
        checks.check_standardize(in_place, *checks.shifted_train_test(2))
    with pytest.raises(CheckFailed, match="together"):
        checks.check_standardize(pooled, *checks.shifted_train_test(2))


def test_clock_check_names_the_mistakes():
    tips, expected = checks.clock_cases(0)
    cases = {
        "arctan2 returns": lambda t: np.arctan2(t[:, [0, 2]], t[:, [1, 3]]),
        "degrees": lambda t: np.degrees(clock_angle_features(t)),
        "swapped": lambda t: clock_angle_features(t)[:, ::-1],
        "counter-clockwise": lambda t: np.mod(-clock_angle_features(t), 2 * np.pi),
        "off by pi": lambda t: np.mod(np.arctan(t[:, [0, 2]] / t[:, [1, 3]]), 2 * np.pi),
        "length": lambda t: np.mod(np.arcsin(np.clip(t[:, [0, 2]], -1, 1)), 2 * np.pi),
    }
    for needle, wrong in cases.items():
        with np.errstate(all="ignore"), pytest.raises(CheckFailed) as info:
            checks.check_clock_angle_features(wrong, tips, expected)
        if needle != "length":
            assert needle in str(info.value), (needle, str(info.value))


def test_other_checks_reject_wrong_answers():
    with pytest.raises(CheckFailed, match="larger than 1"):
        def counts(seqs, d):
            out = np.zeros((len(seqs), d), dtype=np.float32)
            for i, s in enumerate(seqs):
                for j in s:
                    out[i, j] += 1
            return out
        checks.check_vectorize_sequences(counts, [[1, 1, 2]], 4)
    with pytest.raises(CheckFailed, match="float32"):
        checks.check_to_one_hot(lambda labels, k: np.eye(k)[np.asarray(labels)], [0, 1], 3)
    with pytest.raises(CheckFailed, match="input array itself|in place"):
        def in_place(x, fill_value=0.0):
            x[np.isnan(x)] = fill_value
            return x
        checks.check_fill_missing(in_place, checks.array_with_nans(1))
    x, y = checks.missing_feature_data(1)
    with pytest.raises(CheckFailed, match="labels"):
        checks.check_augment_with_missing(
            lambda a, b, f, fill_value=0.0: (np.concatenate([a, np.where(np.arange(a.shape[1]) == f, 0.0, a)]), b),
            x, y, 1)
