"""Checks of ``rmsprop_step`` against ``keras.optimizers.RMSprop``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks.optimizers._common import (
    SHAPES,
    STEPS,
    _close,
    _describe,
    _hyper,
    _hyperparameters,
    _match,
    _one_state_call,
    _run,
    exact_float32,
    problem,
)
from course.runtime import import_keras


def _rmsprop_diagnose(lr: float, rho: float, eps: float):
    def diagnose(w, g, state, step, got_w, got_state, expected_w, expected_state):
        (s,) = state
        new_s = rho * s + (1 - rho) * g * g
        known = _match(got_w, [
            (w - lr * g / (new_s + eps),
             "the step divides by the running average of squared gradients itself; divide by its square "
             "root (the root mean square of the recent gradients)."),
            (w - lr * g / (np.sqrt(new_s) + eps),
             "epsilon is added after the square root; Keras's RMSprop adds it to the running average "
             "before the square root (this matters when the gradients are tiny)."),
            (w - lr * g / np.sqrt(new_s) if np.all(new_s > 0) else None,
             "epsilon is missing: Keras adds it to the running average before the square root."),
            (w - lr * g / np.sqrt(s + eps),
             "the step uses the previous running average; update the average with this gradient first."),
            (w - lr * g / np.sqrt((1 - rho) * s + rho * g * g + eps),
             "rho and 1 - rho are swapped: rho is the weight of the previous average (0.9 keeps 90 %)."),
            (w - lr * g / np.sqrt(rho * s + (1 - rho) * np.abs(g) + eps),
             "the running average is of |grad|; RMSprop averages the squared gradients."),
            (w - g / np.sqrt(new_s + eps), "the learning rate is missing from the step."),
        ])
        if known:
            return known
        if _close(got_w, expected_w) and not _close(got_state[0], expected_state[0]):
            return ("the weights are right but the returned velocity is not the new running average of the "
                    "squared gradients.")
        return None
    return diagnose


def check_rmsprop_step(rmsprop_step: Callable, seed: int = 0, learning_rate: float | None = 0.001,
                       rho: float | None = 0.9, epsilon: float | None = 1e-7, dtype: str = "float64",
                       shape: tuple[int, ...] = (3, 4), steps: int = STEPS) -> None:
    """``rmsprop_step`` equals ``keras.optimizers.RMSprop(learning_rate, rho, epsilon=epsilon)`` step for
    step. An argument given as None is left out of the call (the student's default must be Keras's)."""
    given, (lr, r, eps) = _hyperparameters({"learning_rate": (learning_rate, 0.001), "rho": (rho, 0.9),
                                            "epsilon": (epsilon, 1e-7)})
    keras = import_keras()
    prob = problem(seed, shape, dtype, steps=steps)

    def make():
        return keras.optimizers.RMSprop(learning_rate=lr, rho=_hyper(r, dtype), epsilon=_hyper(eps, dtype))

    def keras_state(optimizer, before, after):
        return [np.asarray(optimizer._velocities[0].numpy(), dtype=np.float64)]

    _run("rmsprop_step", rmsprop_step, make, keras_state, prob, ("velocity",), _one_state_call(given),
         _rmsprop_diagnose(lr, r, eps), _describe(given))


def check_rmsprop_on_random_problems(rmsprop_step: Callable, seeds: Sequence[int] = range(4)) -> None:
    """Random problems (tiny gradients included), learning rates, rho and epsilon; the position picks
    dtype, shape and whether the defaults are used."""
    for n, seed in enumerate(seeds):
        rng = np.random.default_rng(7300 + seed)
        dtype = "float32" if n % 2 else "float64"
        shape = SHAPES[n % len(SHAPES)]
        if n % 4 == 2:
            check_rmsprop_step(rmsprop_step, seed, None, None, None, "float64", shape)
            continue
        lr = exact_float32(10 ** rng.uniform(-4, -2))
        rho = exact_float32(rng.uniform(0.8, 0.99))
        eps = exact_float32(10 ** rng.uniform(-8, -6))
        check_rmsprop_step(rmsprop_step, seed, lr, rho, eps, dtype, shape)
