"""Checks of the penalties ``l1_penalty``, ``l2_penalty``, ``l1_l2_penalty`` (against Keras's
regularizers when Keras is loaded) and of ``l2_cost``, and the random weights they use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import call_student, fail, require
from autograder.checks._common import loaded_keras, quiet
from autograder.checks.regularization._common import _arrays, _close, _copy, _require_unchanged, _scalar


def random_weights(seed: int, as_list: bool = True, dtype: str = "float32") -> Any:
    """A seeded list of kernels and biases (or one array) with both signs."""
    rng = np.random.default_rng(seed)
    shapes = [(int(rng.integers(2, 9)), int(rng.integers(2, 9))) for _ in range(2)]
    arrays = [rng.normal(0, 0.5, size=s).astype(dtype) for s in shapes]
    arrays.append(rng.normal(0, 0.5, size=(shapes[-1][1],)).astype(dtype))
    return arrays if as_list else arrays[0]


def _diagnose_penalty(name: str, result: float, weights: Any, l1: float, l2: float) -> None:
    arrays = _arrays(weights)
    abs_sum = sum(np.abs(a).sum() for a in arrays)
    signed_sum = sum(a.sum() for a in arrays)
    sq_sum = sum((a ** 2).sum() for a in arrays)
    norms = sum(np.sqrt((a ** 2).sum()) for a in arrays)
    first = arrays[0]
    first_only = l1 * np.abs(first).sum() + l2 * (first ** 2).sum()
    candidates = [
        (l1 * signed_sum + l2 * sq_sum, "the L1 term sums the signed weights; it must sum their "
                                        "absolute values |w| (np.abs)"),
        (l1 * abs_sum + l2 * sq_sum / 2, "a stray factor 1/2 in the L2 term: Keras's L2 is "
                                         "factor * sum(w**2), without 1/2 (that is the lambda/(2m) "
                                         "convention of l2_cost)"),
        (l1 * abs_sum + l2 * norms, "the L2 term uses the norm ||w||; it must use the squared norm, "
                                    "sum(w**2)"),
        (first_only, "only the first array of the list counts; add the penalty of every array"),
        (l2 * abs_sum + l1 * sq_sum, "the l1 and l2 factors are swapped: l1 multiplies sum|w|, l2 "
                                     "multiplies sum(w**2)"),
        (abs_sum + sq_sum, "the factors l1/l2 are missing: multiply by them"),
    ]
    for value, message in candidates:
        if value != 0 and _close(result, value, 1e-4):
            fail(f"{name}: {message}.")


def _check_penalty(name: str, fn: Callable, call: Callable, expected: float, weights: Any,
                   l1: float, l2: float, keras_regularizer: Callable) -> None:
    """The student's penalty against ``expected`` (NumPy); when Keras is loaded, ``expected`` must
    also be what ``keras_regularizer(keras)`` gives, summed over the arrays."""
    before = _copy(weights)
    result = _scalar(call(fn, weights), name)
    _require_unchanged(before, weights, name)
    keras = loaded_keras()
    if keras is not None:
        regularizer = keras_regularizer(keras)
        with quiet():
            from_keras = sum(float(np.asarray(regularizer(keras.ops.convert_to_tensor(a.astype(np.float32)))))
                             for a in _arrays(weights))
        if not _close(from_keras, expected, 1e-4):
            fail(f"internal check error: Keras gives {from_keras}, NumPy {expected}")
    if not _close(result, expected, 1e-4):
        _diagnose_penalty(name, result, weights, l1, l2)
        kind = "a list of arrays" if isinstance(weights, (list, tuple)) else "one array"
        fail(f"{name} on {kind} returned {result:.6g}, expected {expected:.6g} (the Keras "
             "regularizer summed over the arrays).")


def check_l1_penalty(l1_penalty: Callable, weights: Any, l1: float) -> None:
    expected = l1 * sum(np.abs(a).sum() for a in _arrays(weights))
    _check_penalty("l1_penalty", l1_penalty, lambda f, w: call_student(f, w, l1), expected,
                   weights, l1, 0.0, lambda keras: keras.regularizers.L1(l1))


def check_l2_penalty(l2_penalty: Callable, weights: Any, l2: float) -> None:
    expected = l2 * sum((a ** 2).sum() for a in _arrays(weights))
    _check_penalty("l2_penalty", l2_penalty, lambda f, w: call_student(f, w, l2), expected,
                   weights, 0.0, l2, lambda keras: keras.regularizers.L2(l2))


def check_l1_l2_penalty(l1_l2_penalty: Callable, weights: Any, l1: float, l2: float) -> None:
    arrays = _arrays(weights)
    expected = l1 * sum(np.abs(a).sum() for a in arrays) + l2 * sum((a ** 2).sum() for a in arrays)
    _check_penalty("l1_l2_penalty", l1_l2_penalty, lambda f, w: call_student(f, w, l1, l2),
                   expected, weights, l1, l2, lambda keras: keras.regularizers.L1L2(l1=l1, l2=l2))


def check_penalty_on_random_inputs(fn: Callable, kind: str, seeds: Sequence[int] = range(6)) -> None:
    """Random lists and single arrays, float32 and float64, several factors."""
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        rng = np.random.default_rng(500 + seed)
        weights = random_weights(seed, as_list=n % 3 != 0, dtype="float32" if n % 2 else "float64")
        l1, l2 = float(rng.uniform(1e-3, 0.1)), float(rng.uniform(1e-3, 0.1))
        if kind == "l1":
            check_l1_penalty(fn, weights, l1)
        elif kind == "l2":
            check_l2_penalty(fn, weights, l2)
        else:
            check_l1_l2_penalty(fn, weights, l1, l2)


def check_keras_default_factor(l2_penalty: Callable, weights: Any) -> None:
    """Keras's string regularizer 'l2' uses factor 0.01: l2_penalty(w, 0.01) must equal it."""
    keras = loaded_keras()
    if keras is None:
        return check_l2_penalty(l2_penalty, weights, 0.01)
    regularizer = keras.regularizers.get("l2")
    with quiet():
        expected = float(sum(float(np.asarray(regularizer(keras.ops.convert_to_tensor(a.astype(np.float32)))))
                         for a in _arrays(weights)))
    result = _scalar(call_student(l2_penalty, weights, 0.01), "l2_penalty")
    require(_close(result, expected, 1e-4),
            f"l2_penalty(weights, 0.01) returned {result:.6g}, but Keras's 'l2' string regularizer "
            f"(default factor 0.01) gives {expected:.6g}.")


# ---------------------------------------------------------------------------- l2_cost
def check_l2_cost(l2_cost: Callable, weights: Any, lambd: float, m: int) -> None:
    arrays = _arrays(weights)
    sq = sum((a ** 2).sum() for a in arrays)
    expected = lambd / (2 * m) * sq
    before = _copy(weights)
    result = _scalar(call_student(l2_cost, weights, lambd, m), "l2_cost")
    _require_unchanged(before, weights, "l2_cost")
    if _close(result, expected):
        return
    for value, message in [
        (lambd / m * sq, "uses lambda/m; the course-notes cost is lambda/(2m) * sum(w**2) (the 1/2 "
                         "makes its gradient (lambda/m) W)"),
        (lambd / 2 * sq, "forgets to divide by m, the number of training samples"),
        (lambd * sq, "forgets the factor 1/(2m)"),
        (lambd / (2 * m) * sum(np.sqrt((a ** 2).sum()) for a in arrays),
         "uses the Frobenius norm instead of its square"),
        (lambd / (2 * m) * (arrays[0] ** 2).sum(), "only the first array of the list counts; add "
                                                   "every array's squared entries"),
        (lambd / (2 * m) * sum(np.abs(a).sum() for a in arrays), "sums |w|; the L2 cost sums w**2"),
    ]:
        if _close(result, value, 1e-4):
            fail(f"l2_cost {message}.")
    fail(f"l2_cost(weights, lambd={lambd}, m={m}) returned {result:.6g}, expected "
         f"lambd / (2 * m) * sum(w**2) = {expected:.6g}.")


def check_l2_cost_on_random_inputs(l2_cost: Callable, seeds: Sequence[int] = range(6)) -> None:
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        rng = np.random.default_rng(700 + seed)
        check_l2_cost(l2_cost, random_weights(seed, as_list=n % 2 == 0, dtype="float64" if n % 3 else "float32"),
                      float(rng.uniform(0.01, 3)), int(rng.integers(1, 400)))
