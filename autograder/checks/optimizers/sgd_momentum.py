"""Checks of ``sgd_momentum_step`` (SGD with momentum, and Nesterov) against ``keras.optimizers.SGD``."""

from __future__ import annotations

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
    _one_state_call,
    _run,
    exact_float32,
    problem,
)
from course.runtime import import_keras


def _sgd_diagnose(momentum: float, nesterov: bool, lr: float):
    def diagnose(w, g, state, step, got_w, got_state, expected_w, expected_state):
        (v,) = state
        velocity = got_state[0]
        known = _match(got_w, [
            (w + momentum * v - lr * g if nesterov and momentum else None,
             "with nesterov=True the update is plain momentum: Keras keeps the weights at the look-ahead "
             "point, so the weights take one more momentum-scaled step of the new velocity (see the lecture)."),
            (w - lr * g if momentum else None,
             "the weights moved by the plain gradient step only (SGD without momentum): the velocity, which "
             "remembers the previous steps, must be part of the update."),
            (w + momentum * (momentum * v - lr * g) - lr * g if not nesterov and momentum else None,
             "the Nesterov look-ahead was applied although nesterov=False."),
            (w - (momentum * v - lr * g) if momentum else None,
             "the velocity is subtracted from the weights: in Keras's convention the velocity is what is "
             "added to the weights (it already points downhill)."),
            (w - lr * (momentum * v + g) if momentum else None,
             "the learning rate multiplies a velocity that accumulates raw gradients (the PyTorch form); "
             "Keras's velocity is the step itself, learning rate included, and is added to the weights."),
            (w + momentum * v - (1 - momentum) * lr * g if momentum else None,
             "the gradient step is scaled by (1 - momentum), as in an exponential moving average; Keras adds "
             "the full learning_rate * grad step to the momentum-scaled velocity."),
            (w - lr * momentum * g if momentum else None,
             "the gradient step is multiplied by the momentum; the momentum scales the previous velocity."),
        ])
        if known:
            return known
        if _close(velocity, -expected_state[0]) and np.any(expected_state[0]):
            return ("the returned velocity has the opposite sign of Keras's: the velocity is what is added to "
                    "the weights, so it points downhill (against the gradient).")
        if momentum and _close(got_w, expected_w) and not _close(velocity, expected_state[0]):
            return ("the weights are right but the returned velocity is not the new velocity; return the "
                    "velocity that the next step needs (without Nesterov, exactly what was added to the weights).")
        return None
    return diagnose


def check_sgd_momentum_step(sgd_momentum_step: Callable, seed: int = 0, learning_rate: float | None = 0.01,
                            momentum: float | None = 0.9, nesterov: bool | None = False, dtype: str = "float64",
                            shape: tuple[int, ...] = (3, 4), steps: int = STEPS) -> None:
    """``sgd_momentum_step`` equals ``keras.optimizers.SGD(learning_rate, momentum, nesterov)`` step for
    step over ``steps`` updates of a random problem. An argument given as None is left out of the
    call (the student's default must be Keras's)."""
    given, (lr, mu, nest) = _hyperparameters({"learning_rate": (learning_rate, 0.01), "momentum": (momentum, 0.0),
                                              "nesterov": (nesterov, False)})
    nest = bool(nest)
    keras = import_keras()
    prob = problem(seed, shape, dtype, steps=steps)

    def make():
        return keras.optimizers.SGD(learning_rate=lr, momentum=_hyper(mu, dtype), nesterov=nest)

    def keras_state(optimizer, before, after):
        if mu == 0:  # Keras keeps no velocity: the contract's velocity is what was added
            return [after - before]
        return [np.asarray(optimizer.momentums[0].numpy(), dtype=np.float64)]

    _run("sgd_momentum_step", sgd_momentum_step, make, keras_state, prob, ("velocity",), _one_state_call(given),
         _sgd_diagnose(mu, nest, lr), _describe(given))


def check_sgd_momentum_on_random_problems(sgd_momentum_step: Callable, seeds: Sequence[int] = range(4)) -> None:
    """Random problems, learning rates and momenta; the position picks dtype, shape, Nesterov and
    whether the defaults are used."""
    for n, seed in enumerate(seeds):
        rng = np.random.default_rng(7200 + seed)
        lr = exact_float32(10 ** rng.uniform(-3, -1))
        momentum = exact_float32(rng.uniform(0.5, 0.99))
        dtype = "float32" if n % 2 else "float64"
        shape = SHAPES[n % len(SHAPES)]
        if n % 4 == 3:  # Keras's defaults: learning rate 0.01, no momentum, no Nesterov
            check_sgd_momentum_step(sgd_momentum_step, seed, None, None, None, "float64", shape)
        else:
            check_sgd_momentum_step(sgd_momentum_step, seed, lr, momentum, n % 4 == 1, dtype, shape)
    check_sgd_momentum_errors(sgd_momentum_step)


def check_sgd_momentum_errors(sgd_momentum_step: Callable) -> None:
    """A momentum outside [0, 1] raises ValueError (as Keras's SGD does); 0 and 1 are accepted."""
    w, g, v = np.ones(3), np.ones(3), np.zeros(3)
    for bad in (-0.5, 1.5):
        expect_value_error(sgd_momentum_step, w, g, v, 0.01, bad,
                           why="momentum must be in [0, 1], as for keras.optimizers.SGD")
    for fine in (0.0, 1.0):
        call_student(sgd_momentum_step, w, g, v, 0.01, fine)
