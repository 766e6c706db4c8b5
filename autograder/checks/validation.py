"""Checks for chapter 02 (validation): hold-out, K-fold, iterated K-fold, time-ordered splits.

The checks test the contract of the syllabus's graded API, never a particular random stream:
partitions, sizes, agreement with scikit-learn's ``KFold`` and ``TimeSeriesSplit``,
determinism for a given seed, and how evenly the shuffles spread the samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.model_selection import KFold, TimeSeriesSplit

from autograder.checks import (
    CheckFailed,
    as_index_array,
    as_split_list,
    call_student,
    expect_value_error,
    fail,
    preview,
    require,
)

Split = tuple[np.ndarray, np.ndarray]


# ---------------------------------------------------------------------------- shared properties
def _check_disjoint_cover(train_idx: np.ndarray, val_idx: np.ndarray, n_samples: int, where: str) -> None:
    """train and validation are disjoint, duplicate-free, and together cover 0..n-1."""
    for part, idx in (("training", train_idx), ("validation", val_idx)):
        if idx.size and (idx.min() < 0 or idx.max() >= n_samples):
            fail(f"{where}: {part} indices must lie in 0..{n_samples - 1}, got values from "
                 f"{idx.min()} to {idx.max()}.")
        if np.unique(idx).size != idx.size:
            fail(f"{where}: an index appears more than once in the {part} indices; each sample "
                 "belongs to a split once (sample without replacement).")
    overlap = np.intersect1d(train_idx, val_idx)
    if overlap.size:
        fail(f"{where}: the training indices contain validation indices {preview(overlap)}. "
             "A sample in both parts is an information leak: the model is validated on data "
             "it was trained on.")
    missing = np.setdiff1d(np.arange(n_samples), np.concatenate([train_idx, val_idx]))
    if missing.size:
        fail(f"{where}: indices {preview(missing)} are in neither part. Every sample must be "
             "used for training or for validation; did the remainder get dropped?")


def _check_partition_of_folds(splits: Sequence[Split], n_samples: int, where: str) -> None:
    """The validation folds of one K-fold round partition 0..n-1; train is each complement."""
    for i, (train_idx, val_idx) in enumerate(splits):
        _check_disjoint_cover(train_idx, val_idx, n_samples, f"{where}, fold {i}")
    all_val = np.concatenate([val for _, val in splits])
    counts = np.bincount(all_val, minlength=n_samples)
    if np.any(counts > 1):
        twice = np.flatnonzero(counts > 1)
        fail(f"{where}: samples {preview(twice)} are validated in more than one fold. The "
             "validation folds must not overlap: each sample is validated exactly once.")
    if np.any(counts == 0):
        never = np.flatnonzero(counts == 0)
        fail(f"{where}: samples {preview(never)} are never validated. Each sample must be in "
             f"exactly one validation fold; with n % k = {n_samples % len(splits)} leftover "
             "samples, give one extra sample to each of the first n % k folds.")


def _expected_fold_sizes(n_samples: int, k: int) -> list[int]:
    return [n_samples // k + 1] * (n_samples % k) + [n_samples // k] * (k - n_samples % k)


def _check_fold_sizes(splits: Sequence[Split], n_samples: int, k: int, where: str,
                      ordered: bool) -> None:
    sizes = [len(val) for _, val in splits]
    expected = _expected_fold_sizes(n_samples, k)
    same = sizes == expected if ordered else sorted(sizes) == sorted(expected)
    if same:
        return
    remainder = n_samples % k
    hint = ""
    if remainder and sorted(sizes) == sorted([n_samples // k] * (k - 1) + [n_samples // k + remainder]):
        hint = (" All the leftover samples went into one fold; scikit-learn gives one extra "
                "sample to each of the first n % k folds instead.")
    elif remainder and all(s == n_samples // k for s in sizes):
        hint = " The remainder n % k samples are never validated."
    elif ordered and sorted(sizes) == sorted(expected):
        hint = " The longer folds must come first."
    fail(f"{where}: validation fold sizes are {sizes}, expected {expected} "
         f"(n_samples={n_samples}, k={k}).{hint}")


def _is_contiguous_ascending(idx: np.ndarray) -> bool:
    return idx.size == 0 or bool(np.all(np.diff(np.sort(idx)) == 1))


def _same_set(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(np.sort(a), np.sort(b))


def _splits_equal(a: Sequence[Split], b: Sequence[Split]) -> bool:
    return len(a) == len(b) and all(
        _same_set(ta, tb) and _same_set(va, vb) for (ta, va), (tb, vb) in zip(a, b)
    )


def _membership(splits: Sequence[Split], n_samples: int) -> np.ndarray:
    """fold number of each sample (validation membership) for one K-fold round."""
    fold_of = np.full(n_samples, -1)
    for fold, (_, val) in enumerate(splits):
        fold_of[val] = fold
    return fold_of


def _binomial_band(trials: int, p: float, sigmas: float = 6.0) -> tuple[float, float]:
    mean = trials * p
    spread = sigmas * np.sqrt(trials * p * (1 - p))
    return mean - spread, mean + spread


def _check_groups_look_random(group_of: list[np.ndarray], n_groups: int, where: str, distinct: bool = True) -> None:
    """Rounds of group labels per sample (validation or not; a fold number) look like random draws.

    Two properties that shifting or rotating the index range (``np.roll`` by the seed) does not
    have, though it chooses every sample equally often: neighbours ``i, i + 1`` share a group no
    more often than chance, and most rounds differ from one another.
    """
    rounds = np.asarray(group_of)
    n_rounds, n_samples = rounds.shape
    sizes = np.stack([np.bincount(r, minlength=n_groups) for r in rounds])
    # chance that two given samples share a group, for a random assignment with these group sizes
    chance = float(np.mean(np.sum(sizes * (sizes - 1), axis=1) / (n_samples * (n_samples - 1))))
    together = float(np.mean(rounds[:, :-1] == rounds[:, 1:]))
    if together > 2 * chance + 0.05:
        fail(f"{where}: neighbouring samples (i and i + 1) end up in the same part in {together:.0%} of "
             f"the cases; a random shuffle gives about {chance:.0%}. The parts are blocks of the index "
             "range that only move with the seed (a shift or rotation is not a shuffle): draw a random "
             "permutation, np.random.default_rng(seed).permutation(n_samples).")
    different = len({r.tobytes() for r in rounds})
    if distinct and different < 0.5 * n_rounds:
        fail(f"{where}: only {different} different splits came out of {n_rounds} seeds; a random "
             "permutation seeded with each seed gives almost all different ones. Is the seed reduced to a "
             "few values, or the shuffle a shift of the index range?")


# ---------------------------------------------------------------------------- holdout_split
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


# ---------------------------------------------------------------------------- k_fold_indices
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


# ---------------------------------------------------------------------------- time_ordered_split
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
