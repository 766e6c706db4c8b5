"""Checks of chapter 06's ``dropout_mask``: shape, 0/1 values, ``ValueError`` outside
``0 <= rate < 1``, the share kept, independence within and across calls, and draws from ``rng`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import require
from autograder.checks._common import call_student_as
from autograder.checks.dropout._common import (
    ACROSS_RATE,
    BAD_RATES,
    SMALL_SHAPE,
    _as_01,
    _expect_value_error,
    _shape_tuple,
)
from autograder.checks.dropout._statistics import (
    _check_independent,
    _check_keep_fraction,
    _check_uses_only_rng,
    check_masks_across_calls,
)


def _mask(dropout_mask: Callable, shape: Any, rate: float, rng: np.random.Generator) -> np.ndarray:
    result = call_student_as(dropout_mask, f"dropout_mask({shape!r}, {rate}, rng)", shape, rate, rng)
    return _as_01(result, _shape_tuple(shape), f"dropout_mask({shape!r}, {rate}, rng)", rate, allow_bool=False)


def check_dropout_mask(dropout_mask: Callable, shape: Any = (4, 5), rate: float = 0.5, seed: int = 0) -> None:
    """Shape (an int or a tuple), 0/1 values, all ones for rate 0, ValueError outside [0, 1)."""
    rng = np.random.default_rng(seed)
    _mask(dropout_mask, shape, rate, rng)
    _mask(dropout_mask, 7, rate, rng)
    ones = _mask(dropout_mask, (3, 6), 0.0, rng)
    require(np.all(ones == 1), "dropout_mask with rate=0 must keep everything (all ones); it dropped "
                               f"{int(np.sum(ones == 0))} of 18 entries.")
    for bad in BAD_RATES:
        _expect_value_error(dropout_mask, f"dropout_mask((2, 3), {bad}, rng)",
                            f"rate={bad} is outside 0 <= rate < 1", (2, 3), bad, np.random.default_rng(0))


def check_dropout_mask_keep_fraction(dropout_mask: Callable, rates: Sequence[float] = (0.1, 0.25, 0.4, 0.75),
                                     shape: tuple = (500, 400), seed: int = 0) -> None:
    """The share kept is 1 - rate within a binomial tolerance, for several rates."""
    rng = np.random.default_rng(seed)
    for rate in rates:
        keep = _mask(dropout_mask, shape, rate, rng)
        _check_keep_fraction("dropout_mask", keep, rate)


def check_dropout_mask_independent(dropout_mask: Callable, rate: float = 0.3,
                                   shapes: Sequence[tuple] = ((600, 500), (40, 50, 60)), seed: int = 1) -> None:
    """Elements are independent along every axis and no block of a large mask repeats; across 300 calls
    with one generator the masks are independent draws (no repeats; pairwise agreement, kept counts per
    call and per position within exact binomial bands). False failure <= 1.5e-8 (the calls 1.2e-8, two block
    tests 2e-9, the rest 3e-11)."""
    rng = np.random.default_rng(seed)
    for shape in shapes:
        keep = _mask(dropout_mask, shape, rate, rng)
        _check_keep_fraction("dropout_mask", keep, rate)
        _check_independent("dropout_mask", keep, rate, blocks=True)
    check_masks_across_calls("dropout_mask", lambda g: _mask(dropout_mask, SMALL_SHAPE, ACROSS_RATE, g), seed + 1)


def check_dropout_mask_uses_only_rng(dropout_mask: Callable, shape: tuple = (50, 40), rate: float = 0.5,
                                     seed: int = 0) -> None:
    """Deterministic for a seeded Generator, consumes it, ignores NumPy's and Python's global state; 100
    masks drawn one after another from one generator never repeat (a generator re-seeded inside the
    function, or a few fixed masks picked by a random value, fail). False failure <= 1e-14."""
    _check_uses_only_rng("dropout_mask", lambda rng: _mask(dropout_mask, shape, rate, rng))
    check_masks_across_calls("dropout_mask", lambda g: _mask(dropout_mask, SMALL_SHAPE, ACROSS_RATE, g), seed,
                              n_calls=100, full=False)
