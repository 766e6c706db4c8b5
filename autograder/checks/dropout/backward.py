"""Checks of chapter 06's ``dropout_backward``: exactly ``dout * mask / (1 - rate)``,
and a central-difference gradient check of the backward pass with a fixed mask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import fail
from autograder.checks._common import call_student_as, numerical_gradient
from autograder.checks.dropout._common import (
    _numeric_array,
)


def _backward(dropout_backward: Callable, dout: np.ndarray, mask: np.ndarray, rate: float) -> np.ndarray:
    before_dout, before_mask = dout.copy(), mask.copy()
    where = f"dropout_backward(dout of shape {dout.shape}, mask, rate={rate})"
    result = _numeric_array(call_student_as(dropout_backward, where, dout, mask, rate), where)
    if not (np.array_equal(dout, before_dout) and np.array_equal(mask, before_mask)):
        fail(f"{where} modified dout or mask in place; return a new array.")
    if result.shape != dout.shape:
        fail(f"{where} returned shape {result.shape}, expected dout's shape {dout.shape}.")
    return result.astype(np.float64)


def _diagnose_backward(where: str, da: np.ndarray, expected: np.ndarray, dout: np.ndarray,
                       mask: np.ndarray, rate: float, rtol: float = 1e-5, atol: float = 1e-7) -> None:
    if np.allclose(da, expected, rtol=rtol, atol=atol):
        return
    with np.errstate(all="ignore"):
        _name_backward_mistake(where, da, dout.astype(np.float64), mask.astype(np.float64), rate, rtol, atol)
    fail(f"{where}: the gradient differs from dout * mask / (1 - rate) (largest difference "
         f"{np.max(np.abs(da - expected)):.3g}).")


def _name_backward_mistake(where: str, da: np.ndarray, dout: np.ndarray, mask: np.ndarray, rate: float,
                           rtol: float, atol: float) -> None:
    candidates = [
        (dout * mask, "the gradient is not scaled: the forward pass divided the kept activations by "
                      "1 - rate, so their gradient is divided by 1 - rate too"),
        (dout / (1 - rate), "the mask is missing: a dropped unit did not affect the output, so its "
                            "gradient is 0 (multiply by mask)"),
        (dout * mask / rate, "it divides by rate; the forward pass divided by 1 - rate"),
        (dout * mask * (1 - rate), "it multiplies by 1 - rate; the forward pass divided by 1 - rate, so "
                                   "the gradient is divided by it too"),
        (dout * (1 - mask) / (1 - rate), "it passes the gradient of the dropped units (1 - mask): only "
                                         "kept units (mask = 1) get a gradient"),
        (dout, "it returns dout unchanged: multiply by mask / (1 - rate)"),
    ]
    for value, message in candidates:
        if np.allclose(da, value, rtol=rtol, atol=atol):
            fail(f"{where}: {message}.")


def check_dropout_backward(dropout_backward: Callable, dout: np.ndarray, mask: np.ndarray, rate: float) -> None:
    """``dropout_backward(dout, mask, rate) == dout * mask / (1 - rate)``."""
    dout, mask = np.asarray(dout), np.asarray(mask)
    da = _backward(dropout_backward, dout, mask, rate)
    expected = dout.astype(np.float64) * mask.astype(np.float64) / (1 - rate)
    _diagnose_backward(f"dropout_backward(dout, mask, rate={rate})", da, expected, dout, mask, rate)


def gradient_check_case(seed: int, variant: int | None = None) -> dict[str, Any]:
    """A seeded case: input ``a``, a FIXED 0/1 ``mask`` (float64, int or float32), rate, weights ``c``.

    The loss is ``sum(c * tanh(a * mask / (1 - rate)))``; with the mask fixed, forward is a
    differentiable function of ``a`` whose gradient the backward pass must give.
    """
    rng = np.random.default_rng(700 + seed)
    variant = seed if variant is None else variant
    shapes = [(7,), (5, 6), (2, 3, 4), (8, 3)]
    rates = [0.1, 0.3, 0.5, 0.75, 0.0]
    shape, rate = shapes[variant % len(shapes)], rates[variant % len(rates)]
    mask = (rng.random(shape) >= rate).astype([np.float64, np.int64, np.float32][variant % 3])
    return {"a": rng.normal(size=shape), "mask": mask, "rate": rate, "c": rng.normal(size=shape)}


def check_dropout_backward_gradient(dropout_backward: Callable, seeds: Sequence[int] = range(6)) -> None:
    """Numerical gradient check: the backward pass equals central differences of
    ``sum(c * tanh(forward(a)))`` with the forward pass ``a * mask / (1 - rate)`` for a fixed mask."""
    for n, seed in enumerate(seeds):
        case = gradient_check_case(seed, variant=n)
        a, mask, rate, c = case["a"], case["mask"], case["rate"], case["c"]
        scale = mask.astype(np.float64) / (1 - rate)

        def loss(x: np.ndarray, c: np.ndarray = c, scale: np.ndarray = scale) -> float:
            return float(np.sum(c * np.tanh(x * scale)))

        out = a * scale
        dout = c * (1 - np.tanh(out) ** 2)  # gradient of the loss with respect to the forward output
        numeric = numerical_gradient(loss, a)
        da = _backward(dropout_backward, dout, mask, rate)
        where = (f"dropout_backward on a {a.shape} case (rate={rate}, mask dtype {mask.dtype}) against the "
                 "numerical gradient")
        _diagnose_backward(where, da, numeric, dout, mask, rate, rtol=1e-5, atol=1e-6)


def check_dropout_backward_on_random_inputs(dropout_backward: Callable, seeds: Sequence[int] = range(6)) -> None:
    """Random shapes, dtypes and rates (rate 0 included): exactly dout * mask / (1 - rate)."""
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        rng = np.random.default_rng(900 + seed)
        shape = [(12,), (9, 4), (3, 4, 5)][n % 3]
        rate = [0.0, 0.2, 0.45, 0.9][n % 4]
        dout = rng.normal(size=shape).astype([np.float32, np.float64][n % 2])
        mask = (rng.random(shape) >= rate).astype([np.int64, np.float64, np.float32][n % 3])
        check_dropout_backward(dropout_backward, dout, mask, rate)
