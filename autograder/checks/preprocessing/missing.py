"""Checks of ``fill_missing`` and ``augment_with_missing`` (missing values: fill, and the
augmented training set that teaches a model to do without a feature).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.checks import call_student, fail
from autograder.checks.preprocessing._common import _as_array, _pair, _require_unchanged


def array_with_nans(seed: int, shape: tuple[int, ...] = (8, 5), fraction: float = 0.3,
                    dtype: Any = np.float64) -> np.ndarray:
    """Random values with NaNs at random places, several per row and per column."""
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.0, shape).astype(dtype)
    x[rng.random(shape) < fraction] = np.nan
    flat = x.reshape(-1)
    flat[:2] = np.nan  # two NaNs in the first row, always
    return x


def check_fill_missing(fn: Callable, x: np.ndarray, fill_value: float | None = None) -> None:
    """A copy of x with every NaN replaced by fill_value (default 0.0); x unchanged."""
    where = f"fill_missing(x {x.shape}{'' if fill_value is None else f', fill_value={fill_value}'})"
    given = x.copy()
    result = call_student(fn, given) if fill_value is None else call_student(fn, given, fill_value)
    value = 0.0 if fill_value is None else fill_value
    _require_unchanged([x], [given], ["x"], where)
    got = _as_array(result, f"the result of {where}")
    if got is given:
        fail(f"{where} returned its input array itself; return a new array (a copy).")
    expected = np.where(np.isnan(x), value, x)
    if got.shape != x.shape:
        fail(f"{where} returned shape {got.shape}; expected the shape of x, {x.shape}.")
    missing = np.isnan(x)
    if x.ndim == 2 and missing.any() and np.issubdtype(got.dtype, np.floating):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column has no mean
            column_means = np.broadcast_to(np.nanmean(x, axis=0), x.shape)
        mean_filled = np.where(missing, column_means, x)
        if (np.allclose(got, mean_filled, rtol=1e-5, equal_nan=True)
                and not np.allclose(got, expected, rtol=1e-5, equal_nan=True)):
            fail(f"{where}: the NaNs are filled with their column's mean (and a column with no "
                 "value at all stays NaN). The contract fills them with fill_value "
                 f"({value}); mean imputation is another choice, not this one.")
    if np.issubdtype(got.dtype, np.floating) and np.isnan(got).any():
        left = int(np.isnan(got).sum())
        fail(f"{where}: {left} of the {int(np.isnan(x).sum())} NaNs are still there. Replace "
             "every NaN (a boolean mask np.isnan(x) selects them all at once), not only the "
             "first one found.")
    if np.allclose(got, expected, rtol=1e-6, atol=1e-6):
        return
    if np.allclose(got[~missing], x[~missing], rtol=1e-6, atol=1e-6):
        if np.allclose(got[missing], 0.0) and value != 0.0:
            fail(f"{where}: the NaNs became 0.0 although fill_value is {value}. Use the "
                 "fill_value argument.")
        fail(f"{where}: the NaNs were replaced by {np.unique(got[missing])[:5].tolist()}, "
             f"expected fill_value = {value}.")
    fail(f"{where}: values that were not NaN changed; only the missing entries may change.")


# ---------------------------------------------------------------------------- augment_with_missing
def check_augment_with_missing(fn: Callable, x_train: np.ndarray, y_train: np.ndarray, feature: int,
                               fill_value: float | None = None) -> None:
    """Originals first, then copies with column ``feature`` set to fill_value; y repeated."""
    n = len(x_train)
    value = 0.0 if fill_value is None else fill_value
    where = (f"augment_with_missing(x_train {x_train.shape}, y_train {y_train.shape}, "
             f"feature={feature}{'' if fill_value is None else f', fill_value={fill_value}'})")
    x_in, y_in = x_train.copy(), y_train.copy()
    args = (x_in, y_in, feature) if fill_value is None else (x_in, y_in, feature, fill_value)
    result = call_student(fn, *args)
    _require_unchanged([x_train, y_train], [x_in, y_in], ["x_train", "y_train"], where)
    x_aug, y_aug = _pair(result, where)
    x_aug = _as_array(x_aug, f"{where}: x_aug")
    y_aug = _as_array(y_aug, f"{where}: y_aug")
    copies = x_train.copy()
    copies[:, feature] = value
    if x_aug.shape != (2 * n,) + x_train.shape[1:]:
        if x_aug.shape == x_train.shape:
            fail(f"{where}: x_aug has {n} rows, expected 2 * {n} = {2 * n}: keep the original "
                 "samples AND add one copy of each with the feature missing (the model must "
                 "still learn from complete samples).")
        fail(f"{where}: x_aug has shape {x_aug.shape}, expected {(2 * n,) + x_train.shape[1:]}.")
    if len(y_aug) != 2 * n:
        fail(f"{where}: y_aug has {len(y_aug)} labels for {2 * n} samples. Repeat y_train for "
             "the copies: y_aug = the labels of the originals followed by the same labels again.")
    if not np.allclose(x_aug[:n], x_train):
        if np.allclose(x_aug[n:], x_train) and np.allclose(x_aug[:n], copies):
            fail(f"{where}: the copies with the missing feature come first. The contract puts "
                 "the original samples first, then the copies, in the same order.")
        if np.allclose(x_aug[0::2], x_train) and np.allclose(x_aug[1::2], copies):
            fail(f"{where}: every sample is followed by its copy (interleaved, as np.repeat "
                 "does). The contract puts all the originals first, then all the copies.")
        fail(f"{where}: the first {n} rows of x_aug must be x_train unchanged (the originals).")
    if not np.allclose(x_aug[n:], copies):
        other = [j for j in range(x_train.shape[1]) if j != feature
                 and np.allclose(x_aug[n:, j], value) and not np.allclose(x_train[:, j], value)]
        if other:
            fail(f"{where}: the copies have column {other[0]} set to {value}, but the missing "
                 f"feature is column {feature}. Fill exactly column `feature`.")
        fail(f"{where}: rows {n}..{2 * n - 1} must be copies of x_train with column {feature} "
             f"set to {value}, in the original order.")
    if not np.array_equal(y_aug, np.concatenate([y_train, y_train])):
        fail(f"{where}: y_aug must be y_train followed by y_train again (each copy keeps its "
             "sample's label, in the same order).")


def missing_feature_data(seed: int, n: int = 6, n_features: int = 4, label_dim: int = 0
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Float features without zeros and integer (or one-hot) labels."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(1.0, 9.0, (n, n_features))
    labels = rng.integers(0, 3, n)
    y = np.eye(3, dtype=np.float32)[labels] if label_dim else labels
    return x, y
