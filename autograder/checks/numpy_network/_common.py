"""What the checks of chapter 06's NumPy network share: the seeded network cases,
copies and comparisons of ``params``, calling the student's functions with NumPy's warnings kept
out of the cell, and reading the probabilities and the cache they return.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.checks import fail
from autograder.checks._common import call_student_as

TOLERANCE = dict(rtol=1e-6, atol=1e-8)  # float64 arithmetic, summed in a different order
GRADIENT_TOLERANCE = dict(rtol=1e-4, atol=1e-7)  # against central differences with eps 1e-6

def network_case(seed: int, variant: int = 0) -> dict[str, Any]:
    """A tiny network and data: ``X`` (m, n_x), labels ``y`` (m,), ``params``, a rate and a factor.

    The position ``variant`` picks the layer sizes, the rate and the factor; the seed the numbers.
    """
    rng = np.random.default_rng(4000 + seed)
    sizes = [[2, 5, 1], [2, 4, 3, 1], [3, 6, 4, 1], [2, 3, 1]][variant % 4]
    m = [7, 9, 6, 8][variant % 4]
    params = {}
    for layer in range(1, len(sizes)):
        params[f"W{layer}"] = rng.normal(0, 0.9, size=(sizes[layer - 1], sizes[layer]))
        params[f"b{layer}"] = rng.normal(0, 0.3, size=sizes[layer])
    return {"X": rng.normal(size=(m, sizes[0])), "y": (rng.random(m) < 0.5).astype(np.float64),
            "params": params, "rate": [0.5, 0.3, 0.25, 0.4][variant % 4],
            "lambd": [0.7, 1.5, 0.4, 2.0][variant % 4], "mask_seed": int(rng.integers(2**31))}


def _copy(params: dict) -> dict:
    return {name: np.array(value, dtype=np.float64) for name, value in params.items()}


def _same(before: dict, after: dict) -> bool:
    return all(np.array_equal(before[k], np.asarray(after[k])) for k in before)


RESTORE_ULPS = 8  # an entry moved by +eps, -2 eps, +eps comes back within a few units in the last place


def _displaced(value: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Where ``value`` differs from ``base`` by more than rounding (arithmetic restoring is fine)."""
    return np.abs(value - base) > RESTORE_ULPS * np.spacing(np.abs(base))


def _call(fn: Callable, where: str, *args: Any, **kwargs: Any) -> Any:
    """Call student code as chapter 06's other checks do, with its NumPy warnings kept out of the cell."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call_student_as(fn, where, *args, **kwargs)


def _array(value: Any, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{what} should be a NumPy array of numbers, got {type(value).__name__}.")
    return array


def _probabilities(value: Any, m: int, where: str) -> np.ndarray:
    """The forward pass's first output as (m,) float64: shape (m,) or (m, 1) is accepted."""
    probs = _array(value, f"{where}: the probabilities")
    if probs.shape not in ((m,), (m, 1)):
        fail(f"{where}: the probabilities have shape {probs.shape}; expected ({m},), one probability of "
             "class 1 per sample (row of X).")
    probs = probs.ravel()
    if not np.all(np.isfinite(probs)):
        fail(f"{where}: the probabilities hold NaN or infinite values.")
    if np.any(probs < 0) or np.any(probs > 1):
        fail(f"{where}: the outputs are not probabilities (values from {probs.min():.3g} to {probs.max():.3g}): "
             "the output layer is a sigmoid, 1 / (1 + exp(-z)), on the last layer's z.")
    return probs


def _cache(value: Any, n_hidden: int, where: str) -> dict[str, list[np.ndarray]]:
    if not isinstance(value, dict) or not {"A", "Z", "masks"} <= set(value):
        keys = sorted(value) if isinstance(value, dict) else type(value).__name__
        fail(f"{where}: the cache should be a dict holding the keys 'A', 'Z' and 'masks' (the contract's "
             f"convention), got {keys}.")
    cache = {}
    for key, length in (("A", n_hidden + 1), ("Z", n_hidden + 1), ("masks", n_hidden)):
        items = value[key]
        if not isinstance(items, (list, tuple)) or len(items) != length:
            got = len(items) if isinstance(items, (list, tuple)) else type(items).__name__
            fail(f"{where}: cache['{key}'] should be a list of {length} arrays for a network with {n_hidden} "
                 f"hidden layer(s), got {got}.")
        cache[key] = [_array(item, f"{where}: cache['{key}'][{i}]") for i, item in enumerate(items)]
    return cache
