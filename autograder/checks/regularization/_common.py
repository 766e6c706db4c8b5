"""Helpers the regularization checks share: the tolerance, a student's weights and numbers read,
inputs copied and required unchanged, an array result read.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from autograder.checks import fail

RTOL = 1e-5


def _arrays(weights: Any) -> list[np.ndarray]:
    if isinstance(weights, (list, tuple)):
        return [np.asarray(w, dtype=np.float64) for w in weights]
    return [np.asarray(weights, dtype=np.float64)]


def _scalar(value: Any, name: str) -> float:
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{name} should return a number, got {type(value).__name__}.")
    if array.size != 1:
        fail(f"{name} should return one number (the total over every array and entry), got an "
             f"array of shape {array.shape}: sum over all entries, not per row or column.")
    return float(array.reshape(()))


def _close(a: float, b: float, rtol: float = RTOL) -> bool:
    return bool(np.isclose(a, b, rtol=rtol, atol=1e-9))


def _copy(value: Any) -> Any:
    return copy.deepcopy(value)


def _require_unchanged(before: Any, after: Any, name: str) -> None:
    for b, a in zip(_arrays(before), _arrays(after)):
        if not np.array_equal(b, a):
            fail(f"{name} modified its input in place; work on a copy (`W = W * ...` instead of "
                 "`W *= ...`).")


def _array_result(value: Any, shape: tuple, name: str) -> np.ndarray:
    if isinstance(value, (tuple, list)):
        fail(f"{name} should return one array of the shape of W, got a {type(value).__name__}.")
    array = np.asarray(value, dtype=np.float64)
    if array.shape != shape:
        fail(f"{name} should return an array of W's shape {shape}, got shape {array.shape}.")
    return array
