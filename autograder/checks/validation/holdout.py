"""Checks of ``holdout_split(n_samples, val_fraction, seed)``: sizes, a partition, seeding, an
even shuffle, and the seed range.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import as_index_array, call_student, fail, preview, require
from autograder.checks.validation._common import (
    Split,
    _binomial_band,
    _check_disjoint_cover,
    _check_groups_look_random,
    _indicator,
    _is_partition,
    _same_set,
)
from autograder.checks.validation._seed_range import RANGE_PART, RANGE_SAMPLES, SEED_BASES, _check_seed_range


def _holdout(fn: Callable, n_samples: int, val_fraction: float, seed: int) -> Split:
    where = f"holdout_split({n_samples}, {val_fraction}, seed={seed})"
    result = call_student(fn, n_samples, val_fraction, seed)
    try:
        train_idx, val_idx = result
    except (TypeError, ValueError):
        fail(f"{where} should return a pair (train_idx, val_idx), got {type(result).__name__}.")
    return (as_index_array(train_idx, f"{where}: train_idx"),
            as_index_array(val_idx, f"{where}: val_idx"))


def check_holdout_partition(fn: Callable, n_samples: int, val_fraction: float, seed: int = 0) -> None:
    """Sizes follow int(n * fraction); the two parts are disjoint and cover every sample."""
    where = f"holdout_split({n_samples}, {val_fraction}, seed={seed})"
    train_idx, val_idx = _holdout(fn, n_samples, val_fraction, seed)
    expected = int(n_samples * val_fraction)
    if len(val_idx) != expected:
        exact = n_samples * val_fraction
        hint = ""
        if len(val_idx) == round(exact) or len(val_idx) == int(np.ceil(exact)):
            hint = (f" {n_samples} * {val_fraction} = {exact:g}; the contract truncates with "
                    "int(), it does not round up.")
        elif len(val_idx) == n_samples - expected:
            hint = " The training and validation parts look swapped."
        fail(f"{where}: got {len(val_idx)} validation indices, expected "
             f"int({n_samples} * {val_fraction}) = {expected}.{hint}")
    _check_disjoint_cover(train_idx, val_idx, n_samples, where)


def check_holdout_seeded(fn: Callable, n_samples: int = 50, val_fraction: float = 0.2) -> None:
    """The same seed gives the same split; other seeds give other splits."""
    first = _holdout(fn, n_samples, val_fraction, 7)
    np.random.seed(12345)  # a different global state between calls must not matter
    again = _holdout(fn, n_samples, val_fraction, 7)
    require(_same_set(first[1], again[1]) and _same_set(first[0], again[0]),
            "holdout_split changed between two calls with the same seed. Draw the shuffle from "
            "a generator seeded with the seed argument (np.random.default_rng(seed)), not from "
            "unseeded global random state.")
    others = [_holdout(fn, n_samples, val_fraction, seed)[1] for seed in (8, 9, 10)]
    require(any(not _same_set(first[1], other) for other in others),
            "holdout_split gives the same validation indices for seeds 7, 8, 9 and 10: the seed "
            "argument is ignored.")


def check_holdout_shuffles_evenly(fn: Callable, n_samples: int = 20, val_fraction: float = 0.25,
                                  n_seeds: int = 400) -> None:
    """Across seeds, the validation part is not a fixed block and every sample is chosen equally often."""
    n_val = int(n_samples * val_fraction)
    counts = np.zeros(n_samples)
    in_val = []
    for seed in range(n_seeds):
        _, val_idx = _holdout(fn, n_samples, val_fraction, seed)
        counts[val_idx] += 1
        member = np.zeros(n_samples, dtype=np.int64)
        member[val_idx] = 1
        in_val.append(member)
    low, high = _binomial_band(n_seeds, n_val / n_samples)
    odd = np.flatnonzero((counts < low) | (counts > high))
    if odd.size:
        fail(f"Over {n_seeds} seeds of holdout_split({n_samples}, {val_fraction}, seed), samples "
             f"{preview(odd)} were validated {preview(counts[odd].astype(int))} times; each should "
             f"be about {n_seeds * n_val / n_samples:.0f} times. Shuffle all indices with a "
             "random permutation before cutting off the validation part, so that every sample "
             "is equally likely to be validated (representativeness).")
    _check_groups_look_random(in_val, 2, f"Over {n_seeds} seeds of holdout_split({n_samples}, {val_fraction}, seed)")


def check_holdout_seed_range(fn: Callable, seeds: Sequence[int] = SEED_BASES) -> None:
    """Over 160 seeds (0..31, large ones such as 10**9 + k, and pairs s and s + 256, s + 2**16, ...; ``seeds``
    are the bases s), every seed gives its own validation part, unrelated to those of the seeds paired
    with it: a seed reduced to a few values (``seed % 256``) fails. False failure <= 1.8e-8."""
    n_samples, val_fraction = RANGE_SAMPLES, RANGE_PART / RANGE_SAMPLES

    def draw(seed: int) -> list[tuple[bytes, np.ndarray]]:
        where = f"holdout_split({n_samples}, {val_fraction}, seed={seed})"
        train_idx, val_idx = _holdout(fn, n_samples, val_fraction, seed)
        require(len(val_idx) == RANGE_PART,
                f"{where}: got {len(val_idx)} validation indices, expected int({n_samples} * {val_fraction}) = "
                f"{RANGE_PART}.")
        if not _is_partition([(train_idx, val_idx)], n_samples):
            _check_disjoint_cover(train_idx, val_idx, n_samples, where)
        return [(np.sort(val_idx).tobytes(), _indicator(val_idx, n_samples))]

    _check_seed_range(f"holdout_split({n_samples}, {val_fraction}, seed)", draw, [""], seeds)
