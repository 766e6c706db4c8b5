"""The seed-range check of the shuffling splitters (``holdout_split``, ``shuffled_k_fold_indices``,
``iterated_k_fold_indices``): over 160 seeds, every seed gives its own split, unrelated to the
splits of the seeds paired with it (exact statistics, false failure <= 1.8e-8 per stream).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import fail, require
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
