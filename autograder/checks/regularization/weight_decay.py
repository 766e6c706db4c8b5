"""Checks of ``l2_regularized_gradient`` and ``weight_decay_step``, and that a decay step equals
a gradient step on the L2-regularized cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import call_student, fail, require
from autograder.checks.regularization._common import RTOL, _array_result


def _require_formula(name: str, result: np.ndarray, expected: np.ndarray, formula: str,
                     mistakes: list[tuple[np.ndarray, str]]) -> None:
    """``result`` equals ``expected`` (the contract's ``formula``); else the first mistaken formula it
    equals names the misconception."""
    if np.allclose(result, expected, rtol=RTOL, atol=1e-9):
        return
    for value, message in mistakes:
        if np.allclose(result, value, rtol=1e-4, atol=1e-9):
            fail(f"{name} {message}.")
    fail(f"{name} does not return {formula}.")


def check_l2_regularized_gradient(fn: Callable, dW: np.ndarray, W: np.ndarray, lambd: float, m: int) -> None:
    before = (dW.copy(), W.copy())
    result = _array_result(call_student(fn, dW, W, lambd, m), W.shape, "l2_regularized_gradient")
    require(np.array_equal(before[0], dW) and np.array_equal(before[1], W),
            "l2_regularized_gradient modified dW or W in place; return a new array.")
    _require_formula("l2_regularized_gradient", result, dW + (lambd / m) * W, "dW + (lambd / m) * W", [
        (dW - (lambd / m) * W, "the penalty term has the wrong sign: the gradient of "
                               "+lambda/(2m)||W||^2 is +(lambda/m) W"),
        (dW + lambd * W, "forgets to divide lambda by m"),
        (dW + lambd / (2 * m) * W, "uses lambda/(2m); differentiating lambda/(2m) w**2 gives (lambda/m) w"),
        ((lambd / m) * W, "forgets the data gradient dW"),
        (dW + 2 * lambd / m * W, "has a factor 2 too many: d/dw of lambda/(2m) w**2 is (lambda/m) w"),
    ])


def check_l2_regularized_gradient_on_random_inputs(fn: Callable, seeds: Sequence[int] = range(5)) -> None:
    for n, seed in enumerate(seeds):
        rng = np.random.default_rng(900 + seed)
        shape = (int(rng.integers(1, 7)), int(rng.integers(1, 7)))
        dtype = np.float32 if n % 2 else np.float64
        check_l2_regularized_gradient(fn, rng.normal(size=shape).astype(dtype),
                                      rng.normal(size=shape).astype(dtype),
                                      float(rng.uniform(0.05, 5)), int(rng.integers(2, 300)))


def check_weight_decay_step(fn: Callable, W: np.ndarray, dW: np.ndarray, learning_rate: float,
                            lambd: float, m: int) -> None:
    before = (W.copy(), dW.copy())
    result = _array_result(call_student(fn, W, dW, learning_rate, lambd, m), W.shape, "weight_decay_step")
    require(np.array_equal(before[0], W) and np.array_equal(before[1], dW),
            "weight_decay_step modified W or dW in place; return a new array.")
    a = learning_rate
    _require_formula("weight_decay_step", result, W * (1 - a * lambd / m) - a * dW,
                     "W * (1 - learning_rate * lambd / m) - learning_rate * dW", [
        (W * (1 - a * lambd / m), "forgets the data gradient: subtract learning_rate * dW too"),
        (W * (1 - a * lambd) - a * dW, "forgets to divide lambda by m in the decay factor"),
        (W * (1 + a * lambd / m) - a * dW, "grows the weights: the factor is (1 - learning_rate * lambd / m)"),
        (W * (1 - lambd / m) - a * dW, "forgets the learning rate in the decay factor"),
        (W * (1 - a * lambd / m) + a * dW, "steps up the gradient; subtract learning_rate * dW"),
        (W * (1 - a * lambd / (2 * m)) - a * dW, "uses lambda/(2m) in the decay factor; it is "
                                                 "learning_rate * lambd / m"),
        (W - a * dW, "does not decay the weights at all"),
    ])


def check_weight_decay_step_on_random_inputs(fn: Callable, seeds: Sequence[int] = range(5)) -> None:
    for n, seed in enumerate(seeds):
        rng = np.random.default_rng(1100 + seed)
        shape = (int(rng.integers(1, 7)), int(rng.integers(1, 7)))
        dtype = np.float32 if n % 2 else np.float64
        check_weight_decay_step(fn, rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype),
                                float(rng.uniform(0.001, 0.5)), float(rng.uniform(0.05, 5)),
                                int(rng.integers(2, 300)))


def check_decay_equals_gradient_step(weight_decay_step: Callable, seed: int = 0) -> None:
    """Claim 8: one gradient step on loss + lambda/(2m) ||W||^2 equals the student's decay step.

    The penalty's gradient is taken numerically (central differences), so this check does not
    depend on any other function of the student's.
    """
    rng = np.random.default_rng(1300 + seed)
    W, dW = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    lr, lambd, m = 0.1, 0.8, 20

    def penalty(weights: np.ndarray) -> float:
        return lambd / (2 * m) * float(np.sum(weights ** 2))

    step_size = 1e-6
    numeric = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        shift = np.zeros_like(W)
        shift[index] = step_size
        numeric[index] = (penalty(W + shift) - penalty(W - shift)) / (2 * step_size)
    gradient_step = W - lr * (dW + numeric)
    decay = np.asarray(call_student(weight_decay_step, W, dW, lr, lambd, m), dtype=np.float64)
    require(decay.shape == W.shape and np.allclose(gradient_step, decay, rtol=1e-6, atol=1e-8),
            "one gradient step on loss + lambda/(2m) ||W||^2 (W - lr * (dW + (lambda/m) W)) differs "
            "from weight_decay_step(W, dW, lr, lambda, m); the two must be the same update: "
            "W (1 - lr*lambda/m) - lr*dW.")
