"""Checks of ``exponential_decay`` against ``keras.optimizers.schedules.ExponentialDecay``
(computed in float64), at steps around the staircase's edges.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import call_student, expect_value_error, fail
from autograder.checks._common import as_number, quiet
from autograder.checks.optimizers._common import RTOL
from course.runtime import import_keras


def decay_steps_to_try(decay_steps: int, rng: np.random.Generator) -> list[int]:
    """Steps around the staircase's edges and far along, plus random ones."""
    edges = [0, 1, decay_steps - 1, decay_steps, decay_steps + 1, 2 * decay_steps - 1, 2 * decay_steps,
             5 * decay_steps + decay_steps // 2, 20 * decay_steps]
    return sorted({int(s) for s in edges if s >= 0} | {int(s) for s in rng.integers(0, 30 * decay_steps, size=6)})


def check_exponential_decay(exponential_decay: Callable, initial_learning_rate: float = 0.01,
                            decay_steps: int = 100, decay_rate: float = 0.5, staircase: bool | None = False,
                            seed: int = 0) -> None:
    """The student's learning rate equals ``ExponentialDecay(...)(step)`` (float64) at many steps.
    ``staircase=None`` leaves the argument out of the call (its default must be False)."""
    keras = import_keras()
    flag = bool(staircase)
    with quiet():
        schedule = keras.optimizers.schedules.ExponentialDecay(np.float64(initial_learning_rate), decay_steps,
                                                               np.float64(decay_rate), staircase=flag)
    given = {} if staircase is None else {"staircase": staircase}
    rng = np.random.default_rng(7500 + seed)
    settings = (f"initial_learning_rate={initial_learning_rate:g}, decay_steps={decay_steps}, "
                f"decay_rate={decay_rate:g}" + (f", staircase={staircase}" if staircase is not None else ""))
    for step in decay_steps_to_try(decay_steps, rng):
        with quiet():
            expected = float(schedule(step))
        raw = call_student(exponential_decay, step, initial_learning_rate, decay_steps, decay_rate, **given)
        got = as_number(raw, "exponential_decay", "the learning rate")
        if abs(got - expected) <= RTOL * abs(expected):
            continue
        where = f"exponential_decay(step={step}, {settings}) returned {got:.8g}; Keras gives {expected:.8g}"
        p = step / decay_steps
        mistakes = [
            (initial_learning_rate * decay_rate ** math.floor(p) if not flag else None,
             "the rate drops in stairs although staircase=False: without the staircase the exponent is the "
             "fraction step / decay_steps, not its whole part"),
            (initial_learning_rate * decay_rate ** p if flag else None,
             "staircase=True is ignored: the exponent must be the whole number of completed decay periods, so "
             "the rate stays constant within each period of decay_steps steps"),
            (initial_learning_rate * decay_rate ** round(p) if flag else None,
             "the staircase rounds the number of periods; it takes the whole number of completed periods (floor)"),
            (initial_learning_rate * decay_rate ** math.ceil(p) if flag else None,
             "the staircase rounds the number of periods up; it counts completed periods (floor)"),
            (initial_learning_rate * decay_rate ** step,
             "the rate is multiplied by decay_rate at every step; it is multiplied by decay_rate once every "
             "decay_steps steps"),
            (initial_learning_rate * decay_rate ** ((step + 1) / decay_steps) if not flag else
             initial_learning_rate * decay_rate ** math.floor((step + 1) / decay_steps),
             "the step is counted from 1: at step 0 (before any update) the rate is initial_learning_rate"),
            (initial_learning_rate * (1 - decay_rate) ** (math.floor(p) if flag else p),
             "the rate is multiplied by 1 - decay_rate; decay_rate is the factor kept per period (0.5 halves it)"),
            (initial_learning_rate * decay_rate * p, "the decay is linear in the step; it is exponential"),
            (initial_learning_rate / (1 + decay_rate * p), "that is inverse-time decay; this one is exponential"),
        ]
        for value, message in mistakes:
            if value is not None and abs(got - value) <= RTOL * abs(value) + 1e-300:
                fail(f"{where}: {message}.")
        fail(f"{where}.")


def check_exponential_decay_on_random_inputs(exponential_decay: Callable, seeds: Sequence[int] = range(4)) -> None:
    """Random schedules; the position picks the staircase flag (True, False, or left to the default)."""
    for n, seed in enumerate(seeds):
        rng = np.random.default_rng(7600 + seed)
        check_exponential_decay(exponential_decay, float(10 ** rng.uniform(-4, -1)), int(rng.integers(2, 2000)),
                                float(rng.uniform(0.05, 0.99)), (True, False, None)[n % 3], seed)
    check_exponential_decay_errors(exponential_decay)


def check_exponential_decay_errors(exponential_decay: Callable) -> None:
    """decay_steps <= 0 or a negative step raises ValueError."""
    for args, why in (((10, 0.1, 0, 0.5), "decay_steps must be positive"),
                      ((10, 0.1, -5, 0.5), "decay_steps must be positive"),
                      ((-1, 0.1, 10, 0.5), "the step cannot be negative")):
        expect_value_error(exponential_decay, *args, why=why)
