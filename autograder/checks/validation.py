"""Checks for chapter 02 (validation): hold-out, K-fold, iterated K-fold, time-ordered splits, and
the K-fold loop (``cross_validate``), checked through a model factory whose models (recording
stand-ins, small Keras models) keep a record of what they were trained and scored on.

The checks test the contract of the syllabus's graded API, never a particular random stream:
partitions, sizes, agreement with scikit-learn's ``KFold`` and ``TimeSeriesSplit``,
determinism for a given seed, how evenly the shuffles spread the samples, and, over a wide range
of seeds (small and large ones, and pairs of seeds that differ by 1, 256, 2**16, 2**20, 2**24,
10**6 and 10**9), that every seed gets its own split, unrelated to the splits of the seeds near
it: a seed reduced to a few values (``seed % 256``, ``seed & 0xFFFF``, a few of its digits) fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

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
from autograder.checks._common import call_student_as, quiet
from autograder.checks.randomness import (
    ALPHA,
    at_least,
    band,
    circular_shift_overlaps,
    describe_difference,
    hypergeometric_pmf,
    reduction_hint,
    shift_text,
    sum_pmf,
)
from course.runtime import import_keras

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


# ---------------------------------------------------------------------------- seeds over a wide range
# Defaults of ``hidden_seeds(SEED_BASES)`` (drawn per submission at grading time): each base s also
# brings the seeds s + 1, s + 256, s + 2**16, s + 2**24 and s + 10**6. With the fixed seeds 0..31,
# 2**20 + k and 10**9 + k (k < 16), every seed stays below 2**31 (np.random.seed, RandomState).
SEED_BASES = (30407366, 87644457, 192156754, 193851691, 382442422, 393759356, 399142067, 502842844,
              687856686, 691648095, 756993067, 774976481, 849251818, 892699324, 914979851, 972089721)
BASE_OFFSETS = (1, 256, 2**16, 2**24, 10**6)
SMALL_SEEDS = 32
FAR_OFFSETS = (2**20, 10**9)
FAR_SEEDS = 16

# The seed-range checks split 96 samples so that the part compared (the validation part, or the first
# validation fold) holds 24 of them: C(96, 24) = 2.6e22 possible parts.
RANGE_SAMPLES, RANGE_PART = 96, 24


def seed_range(bases: Sequence[int]) -> tuple[list[int], list[tuple[str, int, list[tuple[int, int]]]]]:
    """The seeds a seed-range check tries, and its families of disjoint seed pairs ``(text, offset, pairs)``.

    Seeds 0..31 (pairs 2i, 2i + 1), 2**20 + k and 10**9 + k paired with k, and each base s paired with
    s + 1, s + 256, s + 2**16, s + 2**24 and s + 10**6. A seed reduced modulo a power of two up to 2**24
    or a power of ten up to 10**9, to its high bits or to a few of its digits maps a family to one value.
    """
    bases = [int(b) for b in bases]
    families = [("2i and 2i + 1", 1, [(2 * i, 2 * i + 1) for i in range(SMALL_SEEDS // 2)])]
    families += [(f"k and k + {'2**20' if offset == 2**20 else '10**9'}", offset,
                  [(k, k + offset) for k in range(FAR_SEEDS)]) for offset in FAR_OFFSETS]
    names = {1: "s + 1", 256: "s + 256", 2**16: "s + 2**16", 2**24: "s + 2**24", 10**6: "s + 10**6"}
    families += [(f"s and {names[offset]}", offset, [(s, s + offset) for s in bases]) for offset in BASE_OFFSETS]
    seeds = list(dict.fromkeys(seed for _, _, pairs in families for pair in pairs for seed in pair))
    return seeds, families


Draw = Callable[[int], list[tuple[bytes, np.ndarray]]]


def _check_seed_range(what: str, draw: Draw, streams: Sequence[str], bases: Sequence[int]) -> None:
    """Every seed gives its own result, unrelated to the results of the seeds paired with it.

    ``draw(seed)`` returns, per stream (the split; or each repeat), a key of the whole result and the
    0/1 indicator of a part that a correct implementation draws uniformly among the RANGE_PART-subsets
    of RANGE_SAMPLES indices, independently for different seeds. Statistics, each exact:

    - repeats: P(two of the N <= 160 seeds give one part) <= C(160, 2) / C(96, 24) = 5e-19;
    - for each family of disjoint pairs, the indices the two parts share, summed over the family:
      a sum of independent hypergeometric(96, 24, 24) counts, outside its band with probability
      <= 2 * ALPHA; 8 families;
    - for every pair and every circular shift t of the indices, the indices shared by one part and the
      other shifted by t: hypergeometric at most, and a limit reached with probability <= ALPHA over
      all pairs and shifts (union bound).

    False failure of a correct implementation: at most (1 + 8 * 2 + 1) * ALPHA = 1.8e-8 per stream.
    """
    seeds, families = seed_range(bases)
    results = {seed: draw(seed) for seed in seeds}
    for seed in (10**9 + 3, 2**20 + 5, int(bases[0]) + 2**16):
        again = draw(seed)
        require(all(a[0] == b[0] for a, b in zip(again, results[seed])),
                f"{what} gave two different results for seed={seed}: the same seed must always give the same "
                "split, large seeds too. Seed a generator with the seed argument (np.random.default_rng(seed)).")
    overlap_pmf = hypergeometric_pmf(RANGE_SAMPLES, RANGE_PART, RANGE_PART)
    n_pairs = sum(len(pairs) for _, _, pairs in families)
    shift_limit = at_least(overlap_pmf, ALPHA / (n_pairs * RANGE_SAMPLES))
    for r, stream in enumerate(streams):
        label = f"{what}{stream}"
        keys = {seed: results[seed][r][0] for seed in seeds}
        different = len(set(keys.values()))
        if different < len(seeds):
            _fail_repeated_splits(label, keys, families, different)
        for family, _, pairs in families:
            shared = []
            for a, b in pairs:
                overlaps = circular_shift_overlaps(results[a][r][1], results[b][r][1])
                t = int(np.argmax(overlaps))
                if overlaps[t] >= shift_limit:
                    fail(f"{label}: the splits of the seeds {describe_difference(a, b)} are related: "
                         f"{int(overlaps[t])} of the {RANGE_PART} indices of one part are "
                         f"{shift_text(t, RANGE_SAMPLES)} in the other (independent shuffles share about "
                         f"{RANGE_PART ** 2 / RANGE_SAMPLES:.0f}). The split follows the seed by a rule instead of "
                         "a fresh shuffle: is the seed reduced, or the order moved along with the seed? Draw a "
                         "permutation from np.random.default_rng(seed).")
                shared.append(int(overlaps[0]))
            low, high = band(sum_pmf(overlap_pmf, len(pairs)))
            if not low <= sum(shared) <= high:
                fail(f"{label}: for the seeds {family}, the two parts share {np.mean(shared):.1f} of "
                     f"{RANGE_PART} indices on average over {len(pairs)} pairs; independent shuffles share "
                     f"{RANGE_PART ** 2 / RANGE_SAMPLES:.0f} on average (a sum of {sum(shared)} is outside "
                     f"{low}..{high}). The splits of related seeds are related: is the seed reduced or mixed "
                     "into the order by a rule? Give the whole seed to the generator: np.random.default_rng(seed).")


def _fail_repeated_splits(label: str, keys: dict[int, bytes], families: list, different: int) -> None:
    """Name the reduction of the seed: the smallest offset whose pairs mostly give one split."""
    total = len(keys)
    if different == 1:
        fail(f"{label}: all {total} seeds (small ones, large ones such as 10**9 + k) give the same split: the seed "
             "argument is ignored. Shuffle with a generator seeded by it: np.random.default_rng(seed).")
    systematic = []
    for family, offset, pairs in families:
        same = [(a, b) for a, b in pairs if keys[a] == keys[b]]
        if 2 * len(same) >= len(pairs):
            systematic.append((offset, family, same, len(pairs)))
    if systematic:
        offset, family, same, n_pairs = min(systematic, key=lambda item: item[0])
        a, b = same[0]
        fail(f"{label}: the seeds {describe_difference(a, b)} give the same split, as do {len(same)} of the "
             f"{n_pairs} pairs of seeds {family}; only {different} different splits came out of {total} seeds. "
             f"The seed is reduced to a few values ({reduction_hint(offset)}). Give the whole seed to the "
             "generator: np.random.default_rng(seed).")
    groups: dict[bytes, list[int]] = {}
    for seed, key in keys.items():
        groups.setdefault(key, []).append(seed)
    a, b = next(group[:2] for group in groups.values() if len(group) > 1)
    fail(f"{label}: only {different} different splits came out of {total} seeds (the seeds {a} and {b} give the "
         "same split); a shuffle seeded with each seed gives a new split for every seed. The seed is reduced to a "
         "few values (seed % m or hash(seed) % m for a small m?), or the split only moves with the seed (a "
         "rotation, a block at an offset): draw a permutation from np.random.default_rng(seed).")


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


# ---------------------------------------------------------------------------- cross_validate
# The student's loop gets a model factory. Its models are the grader's: a recording stand-in with
# known outputs, or a real small Keras model. Each records what it was given (the rows and values
# passed to fit, to validation_data and to predict/evaluate/__call__), so the checks verify the
# data the loop produced, never the loop's source. In trusted grading the factory and its models
# stay in the grader and the sandbox calls them by reference (``__grading_remote__``).
CV_TOLERANCE = 1e-4  # standardized inputs and scores: float32 arithmetic in the student's code
_MODEL_METHODS = ("fit", "predict", "evaluate", "__call__")


def _as_float_matrix(value: Any, what: str) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - whatever the conversion raises becomes one TypeError
        raise TypeError(f"{what} should be a NumPy array of numbers, got {type(value).__name__}") from None
    return array


class _RecordedModel:
    """What a factory's model shares: the record of its fits and of the inputs it scored.

    ``fit`` trains (``_train_epoch``) and returns a History-like object whose ``.history`` holds the
    training and validation MSE (``loss``) and MAE (``mae``) of the model at the end of each epoch,
    as a model compiled with ``loss="mse", metrics=["mae"]`` reports them. ``predict`` and
    ``__call__`` return float32 arrays of shape (n, 1) (as Keras does); ``evaluate`` returns
    ``[loss, mae]`` (or a dict with ``return_dict=True``).
    """

    # Called by reference from the grading sandbox: the calls run (and are recorded) here.
    __grading_remote__: ClassVar[tuple[str, ...]] = _MODEL_METHODS
    kind = "model"

    def __init__(self, number: int, n_features: int):
        self.number, self.n_features = number, n_features
        self.fits: list[dict] = []  # x, y, validation (x, y) or None, epochs, batch_size, history
        self.scored: list[tuple[str, np.ndarray, int]] = []  # (method, x, fits before the call)

    def __repr__(self) -> str:
        return f"<{self.kind} #{self.number} from build_model()>"

    def _inputs(self, x: Any, method: str) -> np.ndarray:
        array = _as_float_matrix(x, f"the x passed to model.{method}")
        if array.ndim != 2 or array.shape[1] != self.n_features:
            raise ValueError(f"model.{method} expects inputs of shape (n, {self.n_features}), got {array.shape}")
        return array

    def _outputs(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _train_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> None:
        raise NotImplementedError

    def _errors(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        diff = self._outputs(x).astype(np.float64).reshape(-1) - y
        return float(np.mean(diff ** 2)), float(np.mean(np.abs(diff)))

    def fit(self, x: Any = None, y: Any = None, batch_size: Any = None, epochs: int = 1, verbose: Any = "auto",
            validation_data: Any = None, **kwargs: Any):
        from types import SimpleNamespace

        x = self._inputs(x, "fit")
        y = _as_float_matrix(y, "the y passed to model.fit").reshape(-1)
        if len(y) != len(x):
            raise ValueError(f"model.fit got {len(x)} inputs and {len(y)} targets")
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("validation_data should be a pair (x_val, y_val)")
            validation = (self._inputs(validation_data[0], "fit (validation_data)"),
                          _as_float_matrix(validation_data[1], "validation_data's y").reshape(-1))
        epochs, batch_size = int(epochs), int(batch_size or 32)
        curves: dict[str, list[float]] = {"loss": [], "mae": []}
        if validation is not None:
            curves.update(val_loss=[], val_mae=[])
        for _ in range(epochs):
            self._train_epoch(x, y, batch_size)
            for prefix, (part_x, part_y) in (("", (x, y)), ("val_", validation)):
                if part_x is not None:
                    loss, mae = self._errors(part_x, part_y)
                    curves[f"{prefix}loss"].append(loss)
                    curves[f"{prefix}mae"].append(mae)
        self.fits.append({"x": x, "y": y, "validation": validation, "epochs": epochs, "batch_size": batch_size,
                          "history": {key: list(values) for key, values in curves.items()}})
        return SimpleNamespace(history=curves, epoch=list(range(epochs)),
                               params={"epochs": epochs, "batch_size": batch_size, "verbose": verbose})

    def predict(self, x: Any, batch_size: Any = None, verbose: Any = "auto", **kwargs: Any) -> np.ndarray:
        x = self._inputs(x, "predict")
        self.scored.append(("predict", x, len(self.fits)))
        return self._outputs(x)

    def __call__(self, x: Any, training: Any = False, **kwargs: Any) -> np.ndarray:
        x = self._inputs(x, "__call__")
        self.scored.append(("__call__", x, len(self.fits)))
        return self._outputs(x)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: Any = None, verbose: Any = "auto",
                 return_dict: bool = False, **kwargs: Any):
        x = self._inputs(x, "evaluate")
        y = _as_float_matrix(y, "the y passed to model.evaluate").reshape(-1)
        if len(y) != len(x):
            raise ValueError(f"model.evaluate got {len(x)} inputs and {len(y)} targets")
        self.scored.append(("evaluate", x, len(self.fits)))
        loss, mae = self._errors(x, y)
        return {"loss": loss, "mae": mae} if return_dict else [loss, mae]


class StandInRegressor(_RecordedModel):
    """A stand-in regressor with known outputs: ``intercept + x @ weights``, where training sets the
    intercept to the mean of the targets it was given (0 before any training)."""

    kind = "stand-in model"

    def __init__(self, number: int, n_features: int, seed: int):
        if not 1 <= n_features <= 20:
            raise ValueError(f"n_features={n_features!r} out of the checks' range")
        super().__init__(number, n_features)
        self.weights = np.random.default_rng([seed, number]).uniform(0.5, 1.5, size=n_features)
        self.intercept = 0.0

    def _outputs(self, x: np.ndarray) -> np.ndarray:
        return (self.intercept + x @ self.weights).astype(np.float32).reshape(-1, 1)

    def _train_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> None:
        self.intercept = float(np.mean(y))


class SmallKerasRegressor(_RecordedModel):
    """A real Keras regressor (Dense(4, relu), Dense(1); Adam, MSE), initialized from ``seed``.

    ``fit`` trains with ``train_on_batch`` over the rows in the order given (no shuffling), run
    eagerly: on a few rows that is much faster than tracing ``fit``'s graph for every fresh model.
    """

    kind = "Keras model"

    def __init__(self, number: int, n_features: int, seed: int):
        if not 1 <= n_features <= 20:  # the checks' networks are tiny
            raise ValueError(f"n_features={n_features!r} out of the checks' range")
        super().__init__(number, n_features)
        keras = import_keras()
        init = (seed * 7919 + number) % 2**31
        with quiet():
            self.model = keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.Dense(4, activation="relu", kernel_initializer=keras.initializers.GlorotUniform(init)),
                keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(init + 1)),
            ])
            self.model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", run_eagerly=True)

    def _outputs(self, x: np.ndarray) -> np.ndarray:
        with quiet():
            return np.asarray(self.model(x.astype(np.float32), training=False), dtype=np.float32).reshape(-1, 1)

    def _train_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> None:
        with quiet():
            for start in range(0, len(x), batch_size):
                self.model.train_on_batch(x[start:start + batch_size].astype(np.float32),
                                          y[start:start + batch_size].astype(np.float32))


class ModelFactory:
    """``build_model()``: each call returns a new model (``make(number)``) and keeps it for the checks."""

    # Called by reference from the grading sandbox; the models it returns go back by reference too.
    __grading_remote__: ClassVar[tuple[str, ...]] = ("__call__",)

    def __init__(self, make: Callable[[int], _RecordedModel], description: str):
        self.make, self.description = make, description
        self.built: list[_RecordedModel] = []

    def __repr__(self) -> str:
        return f"<build_model: {self.description}>"

    def __call__(self, *args: Any, **kwargs: Any) -> _RecordedModel:
        if args or kwargs:
            raise TypeError("build_model() takes no arguments: call build_model() once per fold")
        self.built.append(self.make(len(self.built)))
        return self.built[-1]


def _cv_data(seed: int, n_samples: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs on scales far from standardized (offsets and spreads per feature) and distinct targets
    (at least 0.4 apart, so the rows a model was given are known from the targets alone)."""
    if not (2 <= n_samples <= 1000 and 1 <= n_features <= 20):  # the checks' sizes are small
        raise ValueError(f"n_samples={n_samples!r}, n_features={n_features!r} out of the checks' range")
    rng = np.random.default_rng([seed, 2])
    scales = rng.uniform(0.5, 20.0, size=n_features)
    offsets = rng.uniform(-50.0, 50.0, size=n_features)
    x = rng.normal(size=(n_samples, n_features)) * scales + offsets
    y = 20.0 + 0.5 * rng.permutation(n_samples) + rng.uniform(0.0, 0.1, size=n_samples)
    return x, y


def _cv_folds(seed: int, n_samples: int, k: int) -> list[Split]:
    """Shuffled folds (unequal sizes when k does not divide n_samples), training parts sorted."""
    if not 2 <= k <= n_samples <= 1000:
        raise ValueError(f"k={k!r} folds of n_samples={n_samples!r} out of the checks' range")
    order = np.random.default_rng([seed, 3]).permutation(n_samples)
    folds = []
    for val_idx in np.array_split(order, k):
        folds.append((np.setdiff1d(np.arange(n_samples), val_idx), val_idx.copy()))
    return folds


def _standardized(x: np.ndarray, statistics_rows: np.ndarray, ddof: int = 0, axis: Any = 0) -> np.ndarray:
    part = x[statistics_rows]
    return (x - part.mean(axis=axis)) / part.std(axis=axis, ddof=ddof)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=CV_TOLERANCE, atol=CV_TOLERANCE))


def _rows_of(targets: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Which rows of ``y`` the given targets are (in their order), or None if some are not y's values."""
    order = np.argsort(y)
    positions = np.clip(np.searchsorted(y[order], targets), 1, len(y) - 1)
    nearest = np.where(np.abs(y[order][positions - 1] - targets) <= np.abs(y[order][positions] - targets),
                       positions - 1, positions)
    rows = order[nearest]
    return rows if np.all(np.abs(y[rows] - targets) < 1e-3) else None


def _transform_diagnosis(passed: np.ndarray, rows: np.ndarray, x: np.ndarray, train_idx: np.ndarray,
                         val_idx: np.ndarray, part: str) -> str:
    """Why the inputs passed for ``rows`` are not the rows standardized with the training statistics."""
    everything = np.arange(len(x))
    own = train_idx if part == "training" else val_idx
    candidates = [
        (x[rows], f"the {part} inputs are not standardized at all (raw features). Standardize with the mean "
                  "and standard deviation of the fold's training rows."),
        (_standardized(x, everything)[rows],
         f"the {part} inputs are standardized with statistics computed on all the rows: the validation fold "
         "shapes the preprocessing, a leak. Compute the mean and standard deviation on the fold's training rows "
         "only, and apply them to both parts."),
        (_standardized(x, own)[rows] if part == "validation" else None,
         "the validation rows are standardized with their own mean and standard deviation (a scaler fitted on "
         "the validation part separately). Apply the training rows' statistics to the validation rows too: a "
         "model must see its inputs on the scale it was trained on."),
        (_standardized(x, train_idx, ddof=1)[rows],
         f"the {part} inputs use the sample standard deviation (ddof=1); the contract asks for the population "
         "standard deviation, ddof=0 (np.std's default, as StandardScaler)."),
        (_standardized(x, train_idx, axis=None)[rows],
         f"the {part} inputs are standardized with one mean and one standard deviation over all the features; "
         "standardize each feature (column) separately: axis=0."),
        (_standardized(x, val_idx if part == "training" else train_idx)[rows] if part == "training" else None,
         "the training rows are standardized with the validation rows' statistics; use the training rows' own."),
    ]
    for candidate, message in candidates:
        if candidate is not None and _close(passed, candidate):
            return message
    return (f"the {part} inputs are not the fold's {part} rows standardized with the training rows' mean and "
            "standard deviation (per feature, ddof=0).")


def _call_cross_validate(cross_validate: Callable, where: str, *args: Any, **kwargs: Any) -> Any:
    with quiet():
        return call_student_as(cross_validate, where, *args, **kwargs)


def _cv_result(result: Any, k: int, where: str) -> tuple[np.ndarray, float, list]:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"{where} should return a tuple (fold_scores, mean_score, histories), got "
             f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
             + ".")
    fold_scores, mean_score, histories = result
    try:
        scores = np.asarray(fold_scores, dtype=np.float64).reshape(-1)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{where}: fold_scores should be a list or 1-D array of {k} numbers, got {type(fold_scores).__name__}.")
    if scores.size != k:
        fail(f"{where}: fold_scores holds {scores.size} values for {k} folds; return one score per fold.")
    try:
        mean = float(np.asarray(mean_score, dtype=np.float64).reshape(()))
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{where}: mean_score should be one number, got {type(mean_score).__name__}.")
    if not isinstance(histories, (list, tuple)) or len(histories) != k:
        fail(f"{where}: histories should be a list of the {k} folds' history dicts (history.history), got "
             f"{type(histories).__name__}" + (f" of length {len(histories)}" if isinstance(histories, (list, tuple))
                                              else "") + ".")
    return scores, mean, list(histories)


def _check_one_model_per_fold(factory: ModelFactory, k: int, where: str) -> None:
    built = len(factory.built)
    fits = [len(model.fits) for model in factory.built]
    if built == 0:
        fail(f"{where} never called build_model(): build a fresh model for each fold with it.")
    if any(count > 1 for count in fits):
        fail(f"{where} called build_model() {built} time(s) for {k} folds, and fit {max(fits)} times on one model: "
             "a model is reused across folds. Build a fresh model inside the loop, once per fold: the previous "
             "fold's model has already trained on this fold's validation rows.")
    if built < k:
        fail(f"{where} called build_model() {built} time(s) for {k} folds; build a fresh model for every fold.")
    if built > k:
        fail(f"{where} called build_model() {built} times for {k} folds; call it exactly once per fold.")
    if 0 in fits:
        fail(f"{where}: model #{fits.index(0)} was built but never trained (fit was not called on it).")


def _check_fit_inputs(factory: ModelFactory, x: np.ndarray, y: np.ndarray, folds: Sequence[Split],
                      where: str) -> list[_RecordedModel]:
    """Each fold's model: the one trained on exactly that fold's training rows, standardized with their
    statistics, with the fold's validation rows (standardized the same way) as validation_data."""
    by_fold: dict[int, _RecordedModel] = {}
    everything = set(range(len(x)))
    for model in factory.built:
        fit = model.fits[0]
        rows = _rows_of(fit["y"], y)
        if rows is None:
            fail(f"{where}: the targets passed to fit are not values of y. Pass y[train_idx] unchanged: only the "
                 "inputs are standardized, the targets are not.")
        row_set = set(rows.tolist())
        if len(row_set) != len(rows):
            fail(f"{where}: fit got some rows more than once; pass each training row once.")
        fold = next((i for i, (train_idx, _) in enumerate(folds) if row_set == set(train_idx.tolist())), None)
        if fold is None:
            swapped = next((i for i, (_, val_idx) in enumerate(folds) if row_set == set(val_idx.tolist())), None)
            if swapped is not None:
                fail(f"{where}: a model was trained on fold {swapped}'s validation rows: training and validation are "
                     "swapped. Each pair of folds is (train_idx, val_idx): train on the first, score on the second.")
            if row_set == everything:
                fail(f"{where}: a model was trained on all the rows, its validation fold included; train on the "
                     "fold's training rows only.")
            leaked = [i for i, (train_idx, val_idx) in enumerate(folds)
                      if set(train_idx.tolist()) <= row_set and row_set & set(val_idx.tolist())]
            if leaked:
                fail(f"{where}: fold {leaked[0]}'s model was trained on some of its validation rows as well: the "
                     "validation rows leak into training.")
            fail(f"{where}: a model was trained on rows that are not any fold's training rows "
                 f"({preview(np.sort(rows))}).")
        if fold in by_fold:
            fail(f"{where}: two models were trained on fold {fold}'s training rows; each fold trains its own "
                 "model once.")
        by_fold[fold] = model
        train_idx, val_idx = folds[fold]
        expected = _standardized(x, train_idx)[rows]
        if not _close(fit["x"], expected):
            fail(f"{where}, fold {fold}: " + _transform_diagnosis(fit["x"], rows, x, train_idx, val_idx, "training"))
        if fit["validation"] is None:
            fail(f"{where}, fold {fold}: fit was not given validation_data=(the standardized validation inputs, "
                 "their targets), so its history has no validation curve (val_loss, val_mae) to plot.")
        val_x, val_y = fit["validation"]
        val_rows = _rows_of(val_y, y)
        if val_rows is None or set(val_rows.tolist()) != set(val_idx.tolist()) or len(val_rows) != len(val_idx):
            got = f"rows {preview(np.sort(val_rows))}" if val_rows is not None else "targets that are not values of y"
            fail(f"{where}, fold {fold}: validation_data should hold the fold's validation rows (val_idx) and their "
                 f"unchanged targets, got {got}.")
        if not _close(val_x, _standardized(x, train_idx)[val_rows]):
            fail(f"{where}, fold {fold} (validation_data): "
                 + _transform_diagnosis(val_x, val_rows, x, train_idx, val_idx, "validation"))
    return [by_fold[i] for i in range(len(folds))]


def _score_diagnosis(score: float, fold: int, model: _RecordedModel, models: list[_RecordedModel],
                     x: np.ndarray, y: np.ndarray, folds: Sequence[Split], expected: np.ndarray) -> str:
    train_idx, val_idx = folds[fold]
    x_val = _standardized(x, train_idx)[val_idx]
    predictions = model._outputs(x_val)
    guesses = [
        (float(np.mean((predictions.reshape(-1) - y[val_idx]) ** 2)),
         "is the mean squared error (the loss), not the MAE. model.evaluate returns [loss, mae]: the MAE is "
         "its second value, or compute mean(|y_val - prediction|) yourself."),
        (float(np.mean(np.abs(predictions - y[val_idx]))),
         f"compares predictions of shape {predictions.shape} with targets of shape {y[val_idx].shape}: the "
         "subtraction broadcasts to an (n, n) matrix. Flatten the predictions first (.reshape(-1) or .ravel())."),
        (float(np.mean(np.abs(model._outputs(_standardized(x, train_idx)[train_idx]).reshape(-1) - y[train_idx]))),
         "is the MAE on the training rows; score each fold on its validation rows."),
    ]
    for guess, message in guesses:
        if np.isclose(score, guess, rtol=CV_TOLERANCE, atol=1e-6):
            return f"fold {fold}'s score {message}"
    if any(np.isclose(score, e, rtol=CV_TOLERANCE, atol=1e-6) for e in expected):
        return (f"fold {fold}'s score {score:.6g} is another fold's score: return the scores in the order of the "
                "folds.")
    for other in models:
        if other is not model:
            mae = float(np.mean(np.abs(other._outputs(x_val).reshape(-1) - y[val_idx])))
            if np.isclose(score, mae, rtol=CV_TOLERANCE, atol=1e-6):
                return f"fold {fold} was scored with another fold's model; score each fold with its own model."
    for method, inputs, fits_before in model.scored:
        if fits_before == 0:
            return f"fold {fold}'s model was asked for predictions (model.{method}) before it was trained."
        if inputs.shape[0] == len(val_idx) and not _close(inputs, x_val):
            return f"fold {fold}'s score: " + _transform_diagnosis(inputs, val_idx, x, train_idx, val_idx,
                                                                   "validation")
    return (f"fold {fold}'s score is {score:.6g}, expected {expected[fold]:.6g}: the mean absolute error between "
            "y_val and the trained model's predictions for the standardized validation rows.")


def _check_scores_and_mean(scores: np.ndarray, mean: float, models: list[_RecordedModel], x: np.ndarray,
                           y: np.ndarray, folds: Sequence[Split], where: str) -> np.ndarray:
    expected = np.array([
        float(np.mean(np.abs(model._outputs(_standardized(x, train_idx)[val_idx]).astype(np.float64).reshape(-1)
                             - y[val_idx])))
        for model, (train_idx, val_idx) in zip(models, folds)])
    for fold, score in enumerate(scores):
        if not np.isclose(score, expected[fold], rtol=CV_TOLERANCE, atol=1e-6):
            fail(f"{where}: " + _score_diagnosis(score, fold, models[fold], models, x, y, folds, expected))
    if np.isclose(mean, expected.mean(), rtol=CV_TOLERANCE, atol=1e-6):
        return expected
    sizes = np.array([len(val_idx) for _, val_idx in folds])
    guesses = [
        (expected[-1], "is the last fold's score only"),
        (expected[0], "is the first fold's score only"),
        (float(np.sum(expected)), "is the sum of the fold scores, not their mean"),
        (float(np.sum(expected) / (len(expected) - 1)), "divides the sum of the scores by K - 1"),
        (float(np.average(expected, weights=sizes)),
         "weights the folds by their sizes (the MAE pooled over all validation rows)"),
        (float(np.median(expected)), "is the median of the fold scores"),
    ]
    for guess, text in guesses:
        if np.isclose(mean, guess, rtol=CV_TOLERANCE, atol=1e-6):
            fail(f"{where}: mean_score {text}; the K-fold estimate is the plain mean of the K fold scores.")
    fail(f"{where}: mean_score is {mean:.6g}, but the mean of the fold scores is {expected.mean():.6g}.")


def _check_histories(histories: list, models: list[_RecordedModel], where: str) -> None:
    recorded = [model.fits[0]["history"] for model in models]
    for fold, history in enumerate(histories):
        if not isinstance(history, dict):
            kind = getattr(history, "description", type(history).__name__)
            fail(f"{where}: histories[{fold}] is {kind}; return each fold's history.history (the dict of "
                 "per-epoch values that fit's History object holds), not the History object itself.")
        same = [i for i, want in enumerate(recorded) if set(history) == set(want) and all(
            np.allclose(np.asarray(history[key], dtype=np.float64), want[key]) for key in want)]
        if fold not in same:
            fail(f"{where}: histories[{fold}] is not the history of fold {fold}'s fit"
                 + (" (it is another fold's: keep them in fold order)." if same else
                    " (return history.history of the model trained on that fold)."))


def _check_cross_validate_with(cross_validate: Callable, factory: ModelFactory, x: np.ndarray, y: np.ndarray,
                               folds: list[Split], epochs: int, batch_size: int, where: str,
                               as_lists: bool = False) -> None:
    x_arg, y_arg = x.copy(), y.copy()
    folds_arg = [((train.tolist(), val.tolist()) if as_lists else (train.copy(), val.copy())) for train, val in folds]
    result = _call_cross_validate(cross_validate, where, factory, x_arg, y_arg, folds_arg, epochs=epochs,
                                  batch_size=batch_size)
    if not (np.array_equal(x_arg, x) and np.array_equal(y_arg, y)):
        fail(f"{where} changed the caller's x or y in place; standardize copies (x[train_idx] makes one), "
             "never the data you were given.")
    scores, mean, histories = _cv_result(result, len(folds), where)
    _check_one_model_per_fold(factory, len(folds), where)
    models = _check_fit_inputs(factory, x, y, folds, where)
    for fold, model in enumerate(models):
        fit = model.fits[0]
        if fit["epochs"] != epochs or fit["batch_size"] != batch_size:
            fail(f"{where}, fold {fold}: fit ran with epochs={fit['epochs']}, batch_size={fit['batch_size']}; "
                 f"pass on the epochs={epochs} and batch_size={batch_size} you were given.")
    _check_scores_and_mean(scores, mean, models, x, y, folds, where)
    _check_histories(histories, models, where)


def check_cross_validate_recorded(cross_validate: Callable, n_samples: int = 12, k: int = 3, n_features: int = 2,
                                  seed: int = 0, epochs: int = 2, batch_size: int = 4,
                                  dtype: Any = np.float64, as_lists: bool = False) -> None:
    """With stand-in models of known outputs: one fresh model per fold trained once on exactly that
    fold's training rows, standardized with their statistics; validation_data the fold's validation
    rows standardized the same way; each score the MAE on the validation rows, in fold order; the
    plain mean; each fold's history dict; the caller's data unchanged."""
    x, y = _cv_data(seed, n_samples, n_features)
    x = x.astype(dtype).astype(np.float64) if dtype != np.float64 else x
    folds = _cv_folds(seed, n_samples, k)
    factory = ModelFactory(lambda number: StandInRegressor(number, n_features, seed), "stand-in models")
    where = f"cross_validate(build_model, x of shape {x.shape}, y, {k} folds, epochs={epochs})"
    _check_cross_validate_with(cross_validate, factory, x.astype(dtype), y, folds, epochs, batch_size, where,
                               as_lists=as_lists)


def check_cross_validate_on_random_data(cross_validate: Callable, seeds: Sequence[int] = (0, 1, 2)) -> None:
    """:func:`check_cross_validate_recorded` on new data and folds: the position of a seed picks the
    sizes (folds of equal and unequal sizes, one or several features), the dtype and whether the
    folds come as lists; the seed picks the numbers."""
    shapes = [(12, 3, 2), (23, 4, 3), (10, 5, 1), (17, 2, 4)]
    for n, seed in enumerate(seeds):
        n_samples, k, n_features = shapes[n % len(shapes)]
        check_cross_validate_recorded(cross_validate, n_samples=n_samples, k=k, n_features=n_features,
                                      seed=int(seed), epochs=1 + n % 2, batch_size=[4, 5, 32][n % 3],
                                      dtype=[np.float64, np.float32][n % 2], as_lists=n % 3 == 2)


def check_cross_validate_keras(cross_validate: Callable, seed: int = 0, n_samples: int = 15, k: int = 3,
                               n_features: int = 3, epochs: int = 2, batch_size: int = 8) -> None:
    """With real small Keras models: the same properties, and each fold's score equals the MAE that
    the grader computes with that fold's trained model on the standardized validation rows."""
    x, y = _cv_data(seed, n_samples, n_features)
    folds = _cv_folds(seed, n_samples, k)
    factory = ModelFactory(lambda number: SmallKerasRegressor(number, n_features, seed), "small Keras models")
    where = f"cross_validate(build_model of a small Keras regressor, x of shape {x.shape}, y, {k} folds)"
    _check_cross_validate_with(cross_validate, factory, x, y, folds, epochs, batch_size, where)


def check_cross_validate_rejects_leaky_folds(cross_validate: Callable, seed: int = 0) -> None:
    """ValueError for a fold whose validation indices also appear in its training indices."""
    x, y = _cv_data(seed, 10, 2)
    rng = np.random.default_rng([seed, 4])
    leaked = int(rng.integers(5, 10))
    folds = [(np.arange(5, 10), np.arange(5)), (np.arange(leaked + 1), np.arange(5, 10))]
    factory = ModelFactory(lambda number: StandInRegressor(number, 2, seed), "stand-in models")
    where = "cross_validate(build_model, x, y, folds) with a fold whose training part holds validation rows"
    try:
        with quiet():
            cross_validate(factory, x, y, folds, epochs=1, batch_size=4)
    except ValueError:
        return
    except NotImplementedError:
        fail("cross_validate is not implemented yet: it still raises NotImplementedError.")
    except Exception as error:  # noqa: BLE001 - student code: any other error is reported as the wrong one
        fail(f"{where} should raise ValueError (a validation row in the training part is a leak), but raised "
             f"{type(error).__name__}: {error}")
    fail(f"{where} should raise ValueError: a validation row in the training part is an information leak, and the "
         "score would be optimistic.")
