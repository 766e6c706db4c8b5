"""Checks of ``time_ordered_split(n_samples, n_splits)``: no future leak, expanding windows,
agreement with scikit-learn's ``TimeSeriesSplit``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.model_selection import TimeSeriesSplit

from autograder.checks import as_split_list, call_student, fail, preview, require
from autograder.checks.validation._common import Split, _same_set


def _time_ordered(fn: Callable, n_samples: int, n_splits: int) -> list[Split]:
    where = f"time_ordered_split({n_samples}, {n_splits})"
    splits = as_split_list(call_student(fn, n_samples, n_splits), where)
    require(len(splits) == n_splits,
            f"{where} returned {len(splits)} splits, expected n_splits = {n_splits}.")
    return splits


def check_time_ordered_no_future_leak(fn: Callable, n_samples: int, n_splits: int) -> None:
    """Every validation index is later than every training index; windows expand from 0."""
    where = f"time_ordered_split({n_samples}, {n_splits})"
    splits = _time_ordered(fn, n_samples, n_splits)
    previous_train = 0
    for i, (train_idx, val_idx) in enumerate(splits):
        require(train_idx.size > 0 and val_idx.size > 0,
                f"{where}, split {i}: training and validation parts must both be non-empty.")
        if val_idx.min() <= train_idx.max():
            fail(f"{where}, split {i}: validation index {val_idx.min()} is not later than "
                 f"training index {train_idx.max()}. When predicting the future, never shuffle: "
                 "the validation data must come after all the training data (the arrow of time).")
        if not _same_set(train_idx, np.arange(train_idx.max() + 1)):
            fail(f"{where}, split {i}: the training window should be every index from 0 up to "
                 "the validation block (an expanding window), got "
                 f"{preview(np.sort(train_idx))}.")
        if len(train_idx) < previous_train:
            fail(f"{where}: the training window shrinks at split {i}; windows expand over time.")
        previous_train = len(train_idx)


def check_time_ordered_matches_sklearn(fn: Callable, n_samples: int, n_splits: int) -> None:
    """Each split equals scikit-learn's TimeSeriesSplit(n_splits) (as index sets)."""
    where = f"time_ordered_split({n_samples}, {n_splits})"
    splits = _time_ordered(fn, n_samples, n_splits)
    expected = list(TimeSeriesSplit(n_splits).split(np.arange(n_samples)))
    block = n_samples // (n_splits + 1)
    for i, ((train_idx, val_idx), (want_train, want_val)) in enumerate(zip(splits, expected)):
        if len(val_idx) != len(want_val):
            fail(f"{where}, split {i}: the validation block has {len(val_idx)} samples, expected "
                 f"n_samples // (n_splits + 1) = {block}.")
        if not _same_set(val_idx, want_val):
            fail(f"{where}, split {i}: validation indices are {preview(np.sort(val_idx))}, "
                 f"expected {preview(want_val)}. The validation blocks are the last "
                 f"n_splits * {block} samples in order; the first training window also takes "
                 f"the n_samples % (n_splits + 1) leftover samples.")
        if not _same_set(train_idx, want_train):
            fail(f"{where}, split {i}: training indices are {preview(np.sort(train_idx))}, "
                 f"expected all of 0..{want_train[-1]} (everything before the validation block).")
