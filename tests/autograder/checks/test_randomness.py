"""The randomness checks: exact statistics, seed ranges, and what low-entropy code gets told.

Functions whose contract says "random" (the splits of chapter 02, the dropout mask and forward pass
of chapter 06) must not pass with a seed reduced to a few values or a mask picked from a few fixed
ones; every correct way of drawing must pass.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import dropout as drop_checks
from autograder.checks import randomness as stats
from autograder.checks import validation as split_checks


# ---------------------------------------------------------------------------- exact statistics
def test_binomial_and_hypergeometric_laws_are_exact():
    pmf = stats.binomial_pmf(20, 0.3)
    expected = [math.comb(20, k) * 0.3 ** k * 0.7 ** (20 - k) for k in range(21)]
    np.testing.assert_allclose(pmf, expected, rtol=1e-9)
    hyper = stats.hypergeometric_pmf(96, 24, 24)
    assert hyper.sum() == pytest.approx(1.0)
    assert float(np.dot(np.arange(25), hyper)) == pytest.approx(24 * 24 / 96)
    np.testing.assert_allclose(stats.sum_pmf(stats.binomial_pmf(5, 0.4), 3), stats.binomial_pmf(15, 0.4), atol=1e-12)


def test_bands_leave_at_most_alpha_outside_on_each_side():
    for pmf in (stats.binomial_pmf(300, 0.6), stats.sum_pmf(stats.hypergeometric_pmf(96, 24, 24), 16)):
        low, high = stats.band(pmf, 1e-9)
        assert pmf[:low].sum() <= 1e-9 < pmf[:low + 1].sum()
        assert pmf[high + 1:].sum() <= 1e-9 < pmf[high:].sum()
    lo, hi, inside = stats.central_window(stats.binomial_pmf(64, 0.6))
    assert lo <= 38 <= hi and 0.5 <= inside < 0.7


def test_circular_shift_overlaps_count_shared_indices_per_shift():
    a = np.zeros(10, dtype=np.int64)
    a[[1, 2, 5]] = 1
    b = np.roll(a, 3)
    overlaps = stats.circular_shift_overlaps(a, b)
    assert overlaps[3] == 3 and overlaps[0] == int(a @ b)


@pytest.mark.parametrize("offset, words", [(1, "seed >> b"), (256, "seed % 256"), (2**16, "seed & 0xffff"),
                                           (10**6, "seed % 1000")])
def test_reduction_hints_name_the_reduction(offset, words):
    assert words in stats.reduction_hint(offset)


# ---------------------------------------------------------------------------- seed ranges (chapter 02)
def test_seed_range_spans_small_large_and_paired_seeds_below_2_31():
    bases = [5, 2**30 - 1]
    seeds, families = split_checks.seed_range(bases)
    assert max(seeds) < 2**31 and min(seeds) == 0
    assert {0, 31, 2**20 + 15, 10**9 + 15, 2**30 - 1 + 10**6}.issubset(seeds)
    for _, offset, pairs in families:
        assert all(b - a == offset for a, b in pairs)
        members = [seed for pair in pairs for seed in pair]
        assert len(set(members)) == len(members), "pairs of one family are disjoint (independent overlaps)"
    assert {offset for _, offset, _ in families} == {1, 256, 2**16, 2**20, 2**24, 10**6, 10**9}
    drawn, _ = split_checks.seed_range(split_checks.SEED_BASES)
    assert len(drawn) == 160


def _folds(perm, k):
    folds = np.array_split(perm, k)
    return [(np.concatenate(folds[:i] + folds[i + 1:]), folds[i]) for i in range(k)]


def holdout_default_rng(n, fraction, seed):
    perm = np.random.default_rng(seed).permutation(n)
    return perm[int(n * fraction):], perm[:int(n * fraction)]


def holdout_python_random(n, fraction, seed):
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return order[int(n * fraction):], order[:int(n * fraction)]


def holdout_randomstate(n, fraction, seed):
    perm = np.random.RandomState(seed).permutation(n)
    return perm[int(n * fraction):], perm[:int(n * fraction)]


def holdout_reduced(reduce):
    def holdout(n, fraction, seed):
        return holdout_default_rng(n, fraction, reduce(seed))
    return holdout


@pytest.mark.parametrize("fn", [holdout_default_rng, holdout_python_random, holdout_randomstate])
@pytest.mark.parametrize("bases", [split_checks.SEED_BASES, [0, 1, 2, 3, 255, 256, 65535, 2**29, 2**30 - 1]])
def test_holdout_seed_range_accepts_correct_splits(fn, bases):
    split_checks.check_holdout_seed_range(fn, seeds=bases)


@pytest.mark.parametrize("reduce, words", [
    (lambda s: s % 256, "seed % 256 or seed & 0xff"),
    (lambda s: s & 0xFFFF, "seed % 65536 or seed & 0xffff"),
    (lambda s: s % 2**20, "seed % 1048576"),
    (lambda s: s % 1000, "seed % 1000"),
    (lambda s: s % 10**9, "seed % 10**k"),
    (lambda s: hash(s) % 997, "seed % m or hash(seed) % m"),
    (lambda s: int(str(s)[:3]), "int(str(seed)[:3])"),
    (lambda s: s >> 8, "seed >> b"),
    (lambda s: 0, "the seed argument is ignored"),
])
def test_holdout_seed_range_names_the_reduced_seed(reduce, words):
    with pytest.raises(CheckFailed, match="same split") as caught:
        split_checks.check_holdout_seed_range(holdout_reduced(reduce))
    assert words in str(caught.value)


def test_holdout_seed_range_catches_a_split_that_only_moves_with_the_seed():
    order = np.random.default_rng(1).permutation(10**6 + 3)

    def shifted(n, fraction, seed):
        perm = np.argsort(order[(np.arange(n) + seed) % len(order)])
        return perm[int(n * fraction):], perm[:int(n * fraction)]

    with pytest.raises(CheckFailed, match="shifted by"):
        split_checks.check_holdout_seed_range(shifted)


def test_holdout_seed_range_catches_splits_that_share_too_much():
    def half_fixed(n, fraction, seed):
        n_val = int(n * fraction)
        fixed = np.random.default_rng(0).permutation(n)[:n_val // 2]
        rest = np.setdiff1d(np.arange(n), fixed)
        val = np.concatenate([fixed, np.random.default_rng(seed).permutation(rest)[:n_val - len(fixed)]])
        return np.setdiff1d(np.arange(n), val), val

    with pytest.raises(CheckFailed, match="share .* on average"):
        split_checks.check_holdout_seed_range(half_fixed)


def shuffled_default_rng(n, k, seed):
    return _folds(np.random.default_rng(seed).permutation(n), k)


def iterated_seed_plus_repeat(n, k, n_repeats, seed):
    return [split for r in range(n_repeats) for split in _folds(np.random.RandomState(seed + r).permutation(n), k)]


def iterated_one_generator(n, k, n_repeats, seed):
    rng = np.random.default_rng(seed)
    return [split for _ in range(n_repeats) for split in _folds(rng.permutation(n), k)]


def test_fold_seed_ranges_accept_correct_folds():
    split_checks.check_shuffled_k_fold_seed_range(shuffled_default_rng)
    split_checks.check_iterated_k_fold_seed_range(iterated_seed_plus_repeat)
    split_checks.check_iterated_k_fold_seed_range(iterated_one_generator)


def test_fold_seed_ranges_reject_reduced_seeds():
    with pytest.raises(CheckFailed, match=r"seed % 256"):
        split_checks.check_shuffled_k_fold_seed_range(lambda n, k, seed: shuffled_default_rng(n, k, seed % 256))

    def later_repeats_fixed(n, k, n_repeats, seed):
        return [split for r in range(n_repeats)
                for split in _folds(np.random.default_rng(seed if r == 0 else r).permutation(n), k)]

    with pytest.raises(CheckFailed, match="repeat 1: all 160 seeds"):
        split_checks.check_iterated_k_fold_seed_range(later_repeats_fixed)


# ---------------------------------------------------------------------------- masks (chapter 06)
def _valid(rate):
    if not 0 <= rate < 1:
        raise ValueError(f"bad rate {rate}")


def mask_choice_with_replacement(shape, rate, rng):
    _valid(rate)
    return rng.choice(2, size=int(np.prod(shape)), replace=True, p=[rate, 1 - rate]).reshape(shape)


def mask_exponential(shape, rate, rng):
    _valid(rate)
    return (rng.exponential(size=shape) >= -np.log1p(-rate)).astype(float)


def mask_two_fixed(shape, rate, rng):
    _valid(rate)
    return (np.random.default_rng([0, 2][int(rng.integers(2))]).random(shape) >= rate).astype(float)


def mask_byte_pool(shape, rate, rng):
    _valid(rate)
    return (np.random.default_rng(int(rng.integers(256))).random(shape) >= rate).astype(float)


def mask_tiled(shape, rate, rng):
    _valid(rate)
    return np.resize((rng.random(97) >= rate).astype(float), shape)


def mask_some_entries_fixed(shape, rate, rng):
    _valid(rate)
    mask = (rng.random(shape) >= rate).astype(float)
    mask.flat[:5] = 1.0
    return mask


def mask_sticky(shape, rate, rng, previous={}):  # noqa: B006 - the state is the point
    _valid(rate)
    mask = (rng.random(shape) >= rate).astype(float)
    old = previous.get(np.shape(mask))
    if old is not None:
        keep_old = rng.random(np.shape(mask)) < 0.4
        mask[keep_old] = old[keep_old]
    previous[np.shape(mask)] = mask.copy()
    return mask


@pytest.mark.parametrize("fn", [mask_choice_with_replacement, mask_exponential])
def test_mask_randomness_checks_accept_other_correct_draws(fn):
    drop_checks.check_dropout_mask_independent(fn, seed=3)
    drop_checks.check_dropout_mask_uses_only_rng(fn, seed=4)


@pytest.mark.parametrize("wrong, words", [
    (mask_two_fixed, "the masks repeat across calls"),
    (mask_byte_pool, "the masks repeat across calls"),
    (mask_tiled, "repeats itself"),
    (mask_some_entries_fixed, "fixed from call to call"),
    (mask_sticky, "Successive calls are not independent"),
])
def test_mask_independence_check_names_low_entropy(wrong, words):
    with pytest.raises(CheckFailed, match=words):
        drop_checks.check_dropout_mask_independent(wrong, seed=5)


def test_mask_uses_only_rng_catches_a_few_fixed_masks():
    with pytest.raises(CheckFailed, match="the masks repeat across calls"):
        drop_checks.check_dropout_mask_uses_only_rng(mask_byte_pool, seed=6)


def test_forward_checks_catch_a_few_fixed_masks():
    def forward_two_fixed(a, rate, rng, training=True):
        _valid(rate)
        if not training or rate == 0:
            return a.copy(), np.ones(a.shape)
        mask = mask_two_fixed(a.shape, rate, rng)
        return a * mask / (1 - rate), mask

    with pytest.raises(CheckFailed, match="the masks repeat across calls|same mask twice"):
        drop_checks.check_dropout_forward_uses_only_rng(forward_two_fixed, seed=7)
    with pytest.raises(CheckFailed, match="the masks repeat across calls"):
        drop_checks.check_masks_across_calls("dropout_forward", lambda g: forward_two_fixed(
            np.ones(drop_checks.SMALL_SHAPE), drop_checks.ACROSS_RATE, g)[1], 9, n_calls=100, full=False)


def test_a_correct_mask_passes_the_across_calls_statistics_for_many_seeds():
    def mask(shape, rate, rng):
        return (rng.random(shape) >= rate).astype(float)

    for seed in range(40):
        drop_checks.check_masks_across_calls("dropout_mask", lambda g: mask(
            drop_checks.SMALL_SHAPE, drop_checks.ACROSS_RATE, g), seed)
