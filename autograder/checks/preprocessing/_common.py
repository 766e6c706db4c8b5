"""Helpers the preprocessing checks share: a student's result as an array or a pair, inputs
left unchanged, the first row that differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograder.checks import fail


def _as_array(value: Any, what: str) -> np.ndarray:
    if isinstance(value, tuple):
        fail(f"{what} should be one NumPy array, got a tuple of {len(value)} items.")
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{what} should be a NumPy array, got {type(value).__name__}.")
    if array.dtype == object:
        fail(f"{what} should be a numeric NumPy array, got an array of Python objects "
             "(ragged rows?).")
    return array


def _pair(value: Any, what: str) -> tuple[Any, Any]:
    try:
        first, second = value
    except (TypeError, ValueError):
        fail(f"{what} should return a pair of arrays, got {type(value).__name__}.")
    return first, second


def _require_unchanged(before: Sequence[np.ndarray], after: Sequence[np.ndarray], names: Sequence[str],
                       where: str) -> None:
    for b, a, name in zip(before, after, names):
        if not np.array_equal(b, a, equal_nan=np.issubdtype(np.asarray(b).dtype, np.floating)):
            fail(f"{where} modified its input `{name}` in place. The caller's data must stay as it "
                 f"was: work on a copy (for example `{name}.copy()`, or `a = a - mean` instead of "
                 "`a -= mean`).")


def _first_bad_row(result: np.ndarray, expected: np.ndarray) -> int:
    bad = np.flatnonzero(np.any(~np.isclose(result, expected), axis=tuple(range(1, result.ndim))))
    return int(bad[0]) if bad.size else -1
