"""Checks of the K-fold splitters: ``k_fold_indices`` (scikit-learn's ``KFold`` without shuffling),
``shuffled_k_fold_indices`` and ``iterated_k_fold_indices`` (partitions, seeding, even shuffles,
repeats that differ, the seed range).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.model_selection import KFold

from autograder.checks import CheckFailed, as_split_list, call_student, expect_value_error, fail, preview, require
from autograder.checks.validation._common import (
    Split,
    _binomial_band,
    _check_fold_sizes,
    _check_folds,
    _check_groups_look_random,
    _check_partition_of_folds,
    _folds_key,
    _indicator,
    _is_contiguous_ascending,
    _membership,
    _same_set,
    _splits_equal,
)
from autograder.checks.validation._seed_range import RANGE_PART, RANGE_SAMPLES, SEED_BASES, _check_seed_range


def _k_fold(fn: Callable, n_samples: int, k: int) -> list[Split]:
    where = f"k_fold_indices({n_samples}, {k})"
    splits = as_split_list(call_student(fn, n_samples, k), where)
    require(len(splits) == k, f"{where} returned {len(splits)} folds, expected k = {k}.")
    return splits


def check_k_fold_matches_sklearn(fn: Callable, n_samples: int, k: int) -> None:
    """Each fold equals scikit-learn's KFold(k) without shuffling (as index sets)."""
    where = f"k_fold_indices({n_samples}, {k})"
    splits = _k_fold(fn, n_samples, k)
    _check_fold_sizes(splits, n_samples, k, where, ordered=True)
    _check_partition_of_folds(splits, n_samples, where)
    expected = list(KFold(k).split(np.arange(n_samples)))
    for i, ((_, val_idx), (_, want_val)) in enumerate(zip(splits, expected)):
        if not _same_set(val_idx, want_val):
            if not _is_contiguous_ascending(val_idx):
                fail(f"{where}, fold {i}: validation indices {preview(np.sort(val_idx))} are not "
                     "one contiguous block. k_fold_indices does not shuffle: fold i is the i-th "
                     "consecutive block (shuffling is shuffled_k_fold_indices' job).")
            fail(f"{where}, fold {i}: validation indices are {preview(np.sort(val_idx))}, "
                 f"expected {preview(want_val)}. Folds are consecutive blocks taken in order, the "
                 "first n % k of them one sample longer.")


def check_k_fold_rejects_bad_k(fn: Callable) -> None:
    """k < 2 and k > n_samples raise ValueError; k == n_samples (leave-one-out) works."""
    expect_value_error(fn, 10, 1, why="k < 2 leaves nothing to train on")
    expect_value_error(fn, 10, 0, why="k < 2")
    expect_value_error(fn, 10, -3, why="k < 2")
    expect_value_error(fn, 5, 6, why="k > n_samples would leave empty folds")
    try:
        check_k_fold_matches_sklearn(fn, 5, 5)
    except CheckFailed as error:
        fail(f"k = n_samples (leave-one-out) is valid and must not be rejected: {error}")


# ---------------------------------------------------------------------------- shuffled_k_fold_indices
def _shuffled(fn: Callable, n_samples: int, k: int, seed: int) -> list[Split]:
    where = f"shuffled_k_fold_indices({n_samples}, {k}, seed={seed})"
    splits = as_split_list(call_student(fn, n_samples, k, seed), where)
    require(len(splits) == k, f"{where} returned {len(splits)} folds, expected k = {k}.")
    return splits


def check_shuffled_k_fold_partition(fn: Callable, n_samples: int, k: int, seed: int = 0) -> None:
    """Validation folds partition the samples with KFold's fold sizes; train is each complement."""
    where = f"shuffled_k_fold_indices({n_samples}, {k}, seed={seed})"
    splits = _shuffled(fn, n_samples, k, seed)
    _check_fold_sizes(splits, n_samples, k, where, ordered=False)
    _check_partition_of_folds(splits, n_samples, where)


def check_shuffled_k_fold_seeded(fn: Callable, n_samples: int = 40, k: int = 4) -> None:
    """Same seed, same folds; other seeds, other folds; the folds are really shuffled."""
    first = _shuffled(fn, n_samples, k, 3)
    np.random.seed(54321)  # a different global state between calls must not matter
    again = _shuffled(fn, n_samples, k, 3)
    require(_splits_equal(first, again),
            "shuffled_k_fold_indices changed between two calls with the same seed. Permute with "
            "a generator seeded by the seed argument (np.random.default_rng(seed)).")
    others = [_shuffled(fn, n_samples, k, seed) for seed in (4, 5, 6)]
    require(any(not _splits_equal(first, other) for other in others),
            "shuffled_k_fold_indices gives the same folds for seeds 3, 4, 5 and 6: the seed "
            "argument is ignored.")
    plain = list(KFold(k).split(np.arange(n_samples)))
    require(not all(_splits_equal(s, plain) for s in [first, *others]),
            "shuffled_k_fold_indices returns the unshuffled consecutive folds: permute the "
            "indices with the seed before cutting them into folds.")


def check_shuffled_k_fold_evenly(fn: Callable, n_samples: int = 12, k: int = 3,
                                 n_seeds: int = 300) -> None:
    """Across seeds, every sample lands in every fold about equally often."""
    counts = np.zeros((n_samples, k))
    rounds = []
    for seed in range(n_seeds):
        fold_of = _membership(_shuffled(fn, n_samples, k, seed), n_samples)
        counts[np.arange(n_samples), fold_of] += 1
        rounds.append(fold_of)
    low, high = _binomial_band(n_seeds, 1 / k)
    odd = np.argwhere((counts < low) | (counts > high))
    if odd.size:
        sample, fold = odd[0]
        fail(f"Over {n_seeds} seeds of shuffled_k_fold_indices({n_samples}, {k}, seed), sample "
             f"{sample} was in validation fold {fold} {int(counts[sample, fold])} times, expected "
             f"about {n_seeds / k:.0f}. Shuffle the whole index range with a random permutation "
             "so that every sample is equally likely to land in every fold.")
    _check_groups_look_random(rounds, k, f"Over {n_seeds} seeds of shuffled_k_fold_indices({n_samples}, {k}, seed)")


def check_shuffled_k_fold_seed_range(fn: Callable, seeds: Sequence[int] = SEED_BASES) -> None:
    """Over 160 seeds (0..31, large ones such as 10**9 + k, and pairs s and s + 256, s + 2**16, ...; ``seeds``
    are the bases s), every seed gives its own folds, unrelated to those of the seeds paired with it: a
    seed reduced to a few values (``seed % 256``) fails. False failure <= 1.8e-8."""
    n_samples, k = RANGE_SAMPLES, RANGE_SAMPLES // RANGE_PART

    def draw(seed: int) -> list[tuple[bytes, np.ndarray]]:
        where = f"shuffled_k_fold_indices({n_samples}, {k}, seed={seed})"
        splits = _shuffled(fn, n_samples, k, seed)
        _check_folds(splits, n_samples, k, where)
        return [(_folds_key(splits), _indicator(splits[0][1], n_samples))]

    _check_seed_range(f"shuffled_k_fold_indices({n_samples}, {k}, seed)", draw, [""], seeds)


# ---------------------------------------------------------------------------- iterated_k_fold_indices
def _iterated(fn: Callable, n_samples: int, k: int, n_repeats: int, seed: int) -> list[Split]:
    where = f"iterated_k_fold_indices({n_samples}, {k}, {n_repeats}, seed={seed})"
    splits = as_split_list(call_student(fn, n_samples, k, n_repeats, seed), where)
    require(len(splits) == n_repeats * k,
            f"{where} returned {len(splits)} splits, expected n_repeats * k = {n_repeats * k}.")
    return splits


def check_iterated_k_fold_repeats_partition(fn: Callable, n_samples: int, k: int, n_repeats: int,
                                            seed: int = 0) -> None:
    """Splits come repeat by repeat; each block of k splits is a full K-fold partition."""
    where = f"iterated_k_fold_indices({n_samples}, {k}, {n_repeats}, seed={seed})"
    splits = _iterated(fn, n_samples, k, n_repeats, seed)
    for repeat in range(n_repeats):
        block = splits[repeat * k:(repeat + 1) * k]
        label = f"{where}, repeat {repeat} (splits {repeat * k}..{(repeat + 1) * k - 1})"
        _check_fold_sizes(block, n_samples, k, label, ordered=False)
        _check_partition_of_folds(block, n_samples, label)


def check_iterated_k_fold_repeats_differ(fn: Callable, n_samples: int = 30, k: int = 3,
                                         n_repeats: int = 4) -> None:
    """Repeats are shuffled differently; the same seed gives the same splits."""
    first = _iterated(fn, n_samples, k, n_repeats, 11)
    np.random.seed(999)  # a different global state between calls must not matter
    again = _iterated(fn, n_samples, k, n_repeats, 11)
    require(_splits_equal(first, again),
            "iterated_k_fold_indices changed between two calls with the same seed: derive every "
            "repeat's shuffle from the seed argument.")
    rounds = [first[r * k:(r + 1) * k] for r in range(n_repeats)]
    for a in range(n_repeats):
        for b in range(a + 1, n_repeats):
            same = all(_same_set(va, vb) for (_, va), (_, vb) in zip(rounds[a], rounds[b]))
            permuted = {tuple(np.sort(v)) for _, v in rounds[a]} == {tuple(np.sort(v)) for _, v in rounds[b]}
            if same or permuted:
                fail(f"iterated_k_fold_indices(..., seed=11): repeats {a} and {b} use the same "
                     "folds. Each repeat must shuffle differently (for example one generator "
                     "seeded once, drawing a new permutation per repeat); reusing the seed for "
                     "every repeat gives identical repeats and no extra information.")
    other = _iterated(fn, n_samples, k, n_repeats, 12)
    require(not _splits_equal(first, other),
            "iterated_k_fold_indices gives the same splits for seeds 11 and 12: the seed "
            "argument is ignored.")
    rounds = []
    for seed in range(40):
        splits = _iterated(fn, 12, 3, 5, seed)
        rounds.append([_membership(splits[r * 3:(r + 1) * 3], 12) for r in range(5)])
    # seeds may share repeats (seed + repeat is a fine way to seed them): distinct first repeats only
    _check_groups_look_random([r for repeats in rounds for r in repeats], 3,
                              "Over 40 seeds of iterated_k_fold_indices(12, 3, 5, seed), every repeat", distinct=False)
    _check_groups_look_random([repeats[0] for repeats in rounds], 3,
                              "Over 40 seeds of iterated_k_fold_indices(12, 3, 5, seed), the first repeat")


def check_iterated_k_fold_seed_range(fn: Callable, seeds: Sequence[int] = SEED_BASES, n_repeats: int = 3) -> None:
    """Over 160 seeds (0..31, large ones such as 10**9 + k, and pairs s and s + 256, s + 2**16, ...; ``seeds``
    are the bases s), repeat r of every seed differs from repeat r of every other seed and is unrelated
    to it, for each r (repeat 1 of seed s may equal repeat 0 of seed s + 1: seeding repeat r with
    seed + r is fine). False failure <= 1.8e-8 per repeat, 5.4e-8 in all."""
    n_samples, k = RANGE_SAMPLES, RANGE_SAMPLES // RANGE_PART

    def draw(seed: int) -> list[tuple[bytes, np.ndarray]]:
        where = f"iterated_k_fold_indices({n_samples}, {k}, {n_repeats}, seed={seed})"
        splits = _iterated(fn, n_samples, k, n_repeats, seed)
        out = []
        for repeat in range(n_repeats):
            block = splits[repeat * k:(repeat + 1) * k]
            _check_folds(block, n_samples, k, f"{where}, repeat {repeat}")
            out.append((_folds_key(block), _indicator(block[0][1], n_samples)))
        return out

    _check_seed_range(f"iterated_k_fold_indices({n_samples}, {k}, {n_repeats}, seed)", draw,
                      [f", repeat {r}" for r in range(n_repeats)], seeds)
