"""Properties the split checks of chapter 02 share: disjoint parts that cover every sample, K-fold
partitions and fold sizes, index sets compared, and groups that look randomly drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograder.checks import fail, preview

Split = tuple[np.ndarray, np.ndarray]


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


def _is_partition(splits: Sequence[Split], n_samples: int) -> bool:
    """Fast test: the validation parts partition 0..n-1 and each training part is its complement.

    The seed-range checks call it hundreds of times; when it says no, the slower checks run and
    name the problem.
    """
    for train_idx, val_idx in splits:
        both = np.concatenate([train_idx, val_idx])
        if both.size != n_samples or (both.size and (both.min() < 0 or both.max() >= n_samples)):
            return False
        if np.any(np.bincount(both, minlength=n_samples) != 1):
            return False
    every_val = np.concatenate([val for _, val in splits])
    return every_val.size == n_samples and bool(np.all(np.bincount(every_val, minlength=n_samples) == 1))


def _check_folds(splits: Sequence[Split], n_samples: int, k: int, where: str) -> None:
    """KFold's fold sizes (in any order) and a partition; the fast test first."""
    _check_fold_sizes(splits, n_samples, k, where, ordered=False)
    if not _is_partition(splits, n_samples):
        _check_partition_of_folds(splits, n_samples, where)


def _indicator(indices: np.ndarray, n_samples: int) -> np.ndarray:
    member = np.zeros(n_samples, dtype=np.int64)
    member[indices] = 1
    return member


def _folds_key(splits: Sequence[Split]) -> bytes:
    return b"|".join(np.sort(val).tobytes() for _, val in splits)
