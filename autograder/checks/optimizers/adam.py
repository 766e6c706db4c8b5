"""Checks of ``adam_step`` against ``keras.optimizers.Adam`` (bias correction, the step count)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import call_student, expect_value_error
from autograder.checks.optimizers._common import (
    SHAPES,
    STEPS,
    _close,
    _describe,
    _hyper,
    _hyperparameters,
    _match,
    _run,
    exact_float32,
    problem,
)
from course.runtime import import_keras


def _adam_diagnose(lr: float, b1: float, b2: float, eps: float):
    def corrected(t):
        return lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t) if t >= 1 else math.inf

    def diagnose(w, g, state, step, got_w, got_state, expected_w, expected_state):
        m, v = state
        new_m, new_v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        m_hat, v_hat = new_m / (1 - b1 ** step), new_v / (1 - b2 ** step)
        if not np.all(np.isfinite(got_w)) and step == 1:
            return ("NaN or infinity at the first step: the bias correction divides by 1 - beta ** t, which is 0 "
                    "for t = 0. The step count of the first update is 1 (the step argument), not 0.")
        known = _match(got_w, [
            (w - lr * new_m / (np.sqrt(new_v) + eps),
             "no bias correction: the moving averages start at 0, so early on they are too small; divide "
             "them by 1 - beta_1 ** step and 1 - beta_2 ** step (Keras folds both into the step size)."),
            (w - lr * m_hat / (np.sqrt(new_v) + eps),
             "only the first moment is bias-corrected; the second moment needs its correction too."),
            (w - lr * new_m / (np.sqrt(v_hat) + eps),
             "only the second moment is bias-corrected; the first moment needs its correction too."),
            (w - lr * m_hat / (np.sqrt(v_hat) + eps),
             "epsilon is added to the square root of the bias-corrected second moment (the paper's form); "
             "Keras adds it to the square root of the uncorrected moving average and folds the bias "
             "corrections into the step size (the difference shows when the gradients are tiny)."),
            (w - corrected(step) * new_m / np.sqrt(new_v + eps),
             "epsilon is inside the square root; Keras's Adam adds it after the square root."),
            (w - corrected(step + 1) * new_m / (np.sqrt(new_v) + eps),
             "the bias correction uses step + 1: the step argument already counts from 1 (the first update "
             "is step 1)."),
            (w - corrected(step - 1) * new_m / (np.sqrt(new_v) + eps) if step > 1 else None,
             "the bias correction uses step - 1, a count that starts at 0; the first update is step 1."),
            (w - corrected(step) * m / (np.sqrt(v) + eps),
             "the step uses the previous moving averages; update them with this gradient first."),
            (w - corrected(step) * new_m / (new_v + eps),
             "the step divides by the second moment itself; divide by its square root."),
        ])
        if known:
            return known
        if _close(got_w, expected_w):
            for got, expected, part in zip(got_state, expected_state, ("m", "v")):
                if not _close(got, expected):
                    if _close(got, expected / (1 - (b1 if part == "m" else b2) ** step)):
                        return (f"the returned {part} is bias-corrected; return the uncorrected moving average "
                                "(the correction is applied afresh at every step).")
                    return f"the weights are right but the returned {part} is not the new moving average."
        return None
    return diagnose


def check_adam_step(adam_step: Callable, seed: int = 0, learning_rate: float | None = 0.001,
                    beta_1: float | None = 0.9, beta_2: float | None = 0.999, epsilon: float | None = 1e-7,
                    dtype: str = "float64", shape: tuple[int, ...] = (3, 4), steps: int = STEPS) -> None:
    """``adam_step`` equals ``keras.optimizers.Adam(learning_rate, beta_1, beta_2, epsilon)`` step for step
    (``step`` = 1, 2, ... as the contract says). An argument given as None is left out of the call."""
    given, (lr, b1, b2, eps) = _hyperparameters({"learning_rate": (learning_rate, 0.001), "beta_1": (beta_1, 0.9),
                                                 "beta_2": (beta_2, 0.999), "epsilon": (epsilon, 1e-7)})
    keras = import_keras()
    prob = problem(seed, shape, dtype, steps=steps)

    def make():
        return keras.optimizers.Adam(learning_rate=lr, beta_1=_hyper(b1, dtype), beta_2=_hyper(b2, dtype),
                                     epsilon=_hyper(eps, dtype))

    def keras_state(optimizer, before, after):
        return [np.asarray(optimizer._momentums[0].numpy(), dtype=np.float64),
                np.asarray(optimizer._velocities[0].numpy(), dtype=np.float64)]

    def call(fn, w, g, state, step):
        return call_student(fn, w, g, state[0], state[1], step, **given)

    _run("adam_step", adam_step, make, keras_state, prob, ("m", "v"), call, _adam_diagnose(lr, b1, b2, eps),
         _describe(given))


def check_adam_on_random_problems(adam_step: Callable, seeds: Sequence[int] = range(4)) -> None:
    """Random problems (tiny gradients included) and hyperparameters; the position picks dtype, shape
    and whether the defaults are used. Then ``step`` below 1 must raise ValueError."""
    for n, seed in enumerate(seeds):
        rng = np.random.default_rng(7400 + seed)
        dtype = "float32" if n % 2 else "float64"
        shape = SHAPES[n % len(SHAPES)]
        if n % 4 == 2:
            check_adam_step(adam_step, seed, None, None, None, None, "float64", shape)
            continue
        lr = exact_float32(10 ** rng.uniform(-4, -2))
        b1 = exact_float32(rng.uniform(0.5, 0.95))
        b2 = exact_float32(rng.uniform(0.9, 0.9999))
        eps = exact_float32(10 ** rng.uniform(-8, -6))
        check_adam_step(adam_step, seed, lr, b1, b2, eps, dtype, shape)
    check_adam_step_count(adam_step)


def check_adam_step_count(adam_step: Callable) -> None:
    """``step`` is the number of the update, from 1: step 0 (or less) raises ValueError."""
    w, g, zeros = np.ones(3), np.ones(3), np.zeros(3)
    for bad in (0, -1):
        expect_value_error(adam_step, w, g, zeros, zeros, bad,
                           why="the first update is step 1; a count that starts at 0 divides by "
                               "1 - beta ** 0 = 0 in the bias correction")
