"""Checks for chapter 02 (validation): hold-out, K-fold, iterated K-fold, time-ordered splits.

The checks test the contract of the syllabus's graded API, never a particular random stream:
partitions, sizes, agreement with scikit-learn's ``KFold`` and ``TimeSeriesSplit``,
determinism for a given seed, how evenly the shuffles spread the samples, and, over a wide range
of seeds (small and large ones, and pairs of seeds that differ by 1, 256, 2**16, 2**20, 2**24,
10**6 and 10**9), that every seed gets its own split, unrelated to the splits of the seeds near
it: a seed reduced to a few values (``seed % 256``, ``seed & 0xFFFF``, a few of its digits) fails.
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
