"""Checks of ``standardize(train, test)``: the training set's statistics applied to both, on a test
set shifted from the training set, each usual mistake named.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.preprocessing import StandardScaler

from autograder.checks import call_student, fail
from autograder.checks.preprocessing._common import _as_array, _pair, _require_unchanged


def shifted_train_test(seed: int, n_train: int = 40, n_test: int = 15, n_features: int = 5,
                       dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Training data with per-column means and scales of very different sizes, and a test set
    drawn from a shifted, wider distribution, so any use of test statistics shows."""
    rng = np.random.default_rng(seed)
    means = rng.uniform(-50, 50, n_features)
    scales = 10.0 ** rng.uniform(-1, 2, n_features)
    train = means + scales * rng.normal(size=(n_train, n_features))
    test = means + 2.0 * scales + 2.5 * scales * rng.normal(size=(n_test, n_features))
    return train.astype(dtype), test.astype(dtype)


def _standardize_candidates(train: np.ndarray, test: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    def cols(a, mean, std):
        return (a - mean) / std
    pooled = np.concatenate([train, test])

    def rows(a):
        return (a - a.mean(axis=1, keepdims=True)) / a.std(axis=1, keepdims=True)

    m, s = train.mean(axis=0), train.std(axis=0)
    return {
        "ddof1": (cols(train, m, train.std(axis=0, ddof=1)), cols(test, m, train.std(axis=0, ddof=1))),
        "test_own": (cols(train, m, s), cols(test, test.mean(axis=0), test.std(axis=0))),
        "pooled": (cols(train, pooled.mean(axis=0), pooled.std(axis=0)),
                   cols(test, pooled.mean(axis=0), pooled.std(axis=0))),
        "global": (cols(train, train.mean(), train.std()), cols(test, train.mean(), train.std())),
        "rows": (rows(train), rows(test)),
    }


MISTAKE_MESSAGES = {
    "test_own": "the test set is standardized with its OWN mean and standard deviation. That "
                "is an information leak (the test data shapes the preprocessing) and it hides "
                "any shift between training and test data: use the training statistics for both.",
    "pooled": "the statistics come from training and test data together. Computing them on the "
              "test data leaks information from the test set into preprocessing: compute the "
              "mean and standard deviation on `train` only.",
    "ddof1": "the standard deviation uses ddof=1 (the sample estimate, as pandas' .std() does). "
             "The contract, like StandardScaler, uses NumPy's default ddof=0.",
    "global": "one mean and one standard deviation for the whole matrix. Features have "
              "different units and ranges; standardize each feature (column) on its own: "
              "axis=0.",
    "rows": "the statistics are computed per sample (row, axis=1). Standardization is per "
            "feature: mean and standard deviation of each column over the training samples "
            "(axis=0).",
}


def _tolerance(train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Per-column tolerance of a standardized value: ``x - mean`` in the data's own precision loses
    about ``eps * |x|`` (and the mean as much), which dividing by the standard deviation magnifies;
    a column whose values sit far from zero relative to their spread needs more room (1e-4 and
    1e-7, float32 and float64, otherwise). How NumPy sums a column (its order, the array's
    alignment) moves the result within that bound."""
    eps = np.finfo(train.dtype).eps if np.issubdtype(train.dtype, np.floating) else np.finfo(np.float64).eps
    floor = 1e-4 if train.dtype == np.float32 else 1e-7
    both = np.concatenate([train, test]).astype(np.float64)
    spread = train.astype(np.float64).std(axis=0)
    magnitude = np.abs(both).max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(floor, np.nan_to_num(64 * eps * magnitude / spread, nan=floor, posinf=floor))


def check_standardize(fn: Callable, train: np.ndarray, test: np.ndarray) -> None:
    """Train-only per-column statistics (ddof=0), applied to both; inputs unchanged."""
    where = f"standardize(train {train.shape}, test {test.shape})"
    train_in, test_in = train.copy(), test.copy()
    result = call_student(fn, train_in, test_in)
    _require_unchanged([train, test], [train_in, test_in], ["train", "test"], where)
    train_out, test_out = _pair(result, where)
    train_out = _as_array(train_out, f"{where}: train_std")
    test_out = _as_array(test_out, f"{where}: test_std")
    scaler = StandardScaler().fit(train.astype(np.float64))
    want_train = scaler.transform(train.astype(np.float64))
    want_test = scaler.transform(test.astype(np.float64))
    for got, want, name in ((train_out, want_train, "train_std"), (test_out, want_test, "test_std")):
        if got.shape != want.shape:
            fail(f"{where}: {name} has shape {got.shape}, expected {want.shape} (same shape as "
                 "the input).")
        if not np.issubdtype(got.dtype, np.floating):
            fail(f"{where}: {name} has dtype {got.dtype}; standardized values are floats.")
    tolerance = _tolerance(train, test)
    ok_train = bool(np.all(np.isclose(train_out, want_train, rtol=tolerance, atol=tolerance)))
    ok_test = bool(np.all(np.isclose(test_out, want_test, rtol=tolerance, atol=tolerance)))
    if ok_train and ok_test:
        return
    with np.errstate(all="ignore"):
        candidates = _standardize_candidates(train.astype(np.float64), test.astype(np.float64))
    for key in ("test_own", "pooled", "ddof1", "global", "rows"):
        cand_train, cand_test = candidates[key]
        if (np.allclose(test_out, cand_test, rtol=1e-3, atol=1e-3, equal_nan=True)
                and (key in ("test_own",) or np.allclose(train_out, cand_train, rtol=1e-3, atol=1e-3,
                                                          equal_nan=True))):
            fail(f"{where}: {MISTAKE_MESSAGES[key]}")
    if not ok_train and ok_test:
        fail(f"{where}: test_std is right but train_std is not. Apply the same (x - mean) / std "
             "to the training data.")
    if ok_train:
        fail(f"{where}: train_std is right but test_std is not. Standardize the test data with "
             "the TRAINING mean and standard deviation (the same numbers as for train).")
    fail(f"{where}: the values differ from StandardScaler().fit(train).transform(...). Use the "
         "per-column mean and standard deviation (ddof=0) of train: (a - mean) / std.")


def check_standardize_train_stats(fn: Callable, seeds: Sequence[int] = range(5)) -> None:
    """The standardized training data has column means 0 and standard deviations 1 exactly,
    and the shifted test data keeps its shift (no test statistics)."""
    for n, seed in enumerate(seeds):  # the position picks the sizes; the seed, the numbers
        train, test = shifted_train_test(seed, n_train=9 + n, n_test=5 + 2 * n, n_features=2 + (n + 1) % 4)
        check_standardize(fn, train, test)
