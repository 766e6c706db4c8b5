"""Checks of ``max_norm`` against ``keras.constraints.MaxNorm``, and its random inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import call_student, fail, require
from autograder.checks._common import quiet
from autograder.checks.regularization._common import RTOL, _array_result
from course.runtime import import_keras


def check_max_norm(max_norm: Callable, w: np.ndarray, max_value: float, axis: int = 0) -> None:
    """``max_norm(w, max_value, axis=axis)`` equals ``keras.constraints.MaxNorm(max_value, axis)(w)``."""
    w = np.asarray(w)
    before = w.copy()
    result = _array_result(call_student(max_norm, w, max_value, axis=axis), w.shape, "max_norm")
    require(np.array_equal(before, w), "max_norm modified w in place; return a new array.")
    keras = import_keras()
    w32 = keras.ops.convert_to_tensor(w.astype(np.float32))
    with quiet():  # float32: well within the tolerance of 1e-5 the contract states
        expected = np.asarray(keras.constraints.MaxNorm(max_value=max_value, axis=axis)(w32), dtype=np.float64)
        other = (np.asarray(keras.constraints.MaxNorm(max_value=max_value, axis=1 - axis)(w32), dtype=np.float64)
                 if w.ndim == 2 else None)  # the norms along the wrong axis
    if np.allclose(result, expected, rtol=RTOL, atol=1e-6):
        return
    w64 = w.astype(np.float64)
    total = np.sqrt((w64 ** 2).sum())
    norms = np.sqrt((w64 ** 2).sum(axis=axis, keepdims=True))
    candidates = [
        (w64 * (min(total, max_value) / total), "rescales with the norm of the whole matrix; "
                                                "max-norm works per neuron: the norm along `axis` of each vector"),
        (w64 * (max_value / norms), "rescales every vector to norm max_value, even those already "
                                    "within the bound; only vectors whose norm exceeds max_value change"),
        (w64 * np.minimum(1.0, max_value / norms ** 2), "divides by the squared norm; divide by the norm"),
    ]
    if other is not None:
        candidates.append((other, "uses the wrong axis: the norms must be taken along `axis` (axis 0 of "
                                  "a Dense kernel: each unit's incoming weights, i.e. each column)"))
    for value, message in candidates:
        if np.allclose(result, value, rtol=1e-4, atol=1e-6):
            fail(f"max_norm {message}.")
    fail(f"max_norm(w, {max_value}, axis={axis}) differs from keras.constraints.MaxNorm"
         f"({max_value}, axis={axis}).")


def max_norm_matrix(seed: int, shape: tuple[int, int] = (6, 5), scale: float = 1.0) -> np.ndarray:
    """A kernel whose columns have norms on both sides of 1 * scale."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=shape)
    w /= np.sqrt((w ** 2).sum(axis=0, keepdims=True))
    column_norms = np.linspace(0.3, 2.5, shape[1]) * scale
    return (w * column_norms).astype(np.float32)


def check_max_norm_on_random_inputs(max_norm: Callable, seeds: Sequence[int] = range(4)) -> None:
    for n, seed in enumerate(seeds):  # the position picks the shape; the seed, the numbers
        w = max_norm_matrix(1500 + seed, shape=(4 + n, 3 + n))
        if n % 2:
            w = w.astype(np.float64)
        check_max_norm(max_norm, w, 1.0, axis=0)
        check_max_norm(max_norm, w.T.copy(), 1.0, axis=1)
        check_max_norm(max_norm, w, 3.0, axis=0)  # every column within the bound: unchanged
