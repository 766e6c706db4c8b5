"""Chapter 03's checks accept correct answers and name each mistake (the chapter's helpers:
tests/course/test_clock.py and test_features.py)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import preprocessing as checks
from tests.solutions import solution


def clock_angle_features(hand_tips):
    return solution("03-preprocessing", "clock_angle_features")(hand_tips)


def standardize(train, test):
    return solution("03-preprocessing", "standardize")(train, test)


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


def test_standardize_accepts_float32_summed_in_another_order():
    """float32 columns far from zero relative to their spread: a correct float32 implementation that
    sums in another order (here left to right, as an unaligned array or a loop does) loses more than
    1e-4 there, and must still pass (the demo's reference lost a point so in the sandbox)."""
    def left_to_right(train, test):
        mean = np.add.accumulate(train, axis=0, dtype=np.float32)[-1] / np.float32(len(train))
        std = np.sqrt(np.add.accumulate((train - mean) ** 2, axis=0, dtype=np.float32)[-1] / np.float32(len(train)))
        return (train - mean) / std, (test - mean) / std

    rng = np.random.default_rng(0)
    train = (49.9 + 0.03 * rng.normal(size=(30, 4))).astype(np.float32)
    test = (49.95 + 0.08 * rng.normal(size=(30, 4))).astype(np.float32)
    want = (train.astype(np.float64) - train.astype(np.float64).mean(axis=0)) / train.astype(np.float64).std(axis=0)
    assert np.abs(left_to_right(train, test)[0] - want).max() > 1e-4  # the case the old tolerance refused
    checks.check_standardize(left_to_right, train, test)
