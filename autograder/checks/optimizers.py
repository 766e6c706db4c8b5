"""Checks for chapter 07's optimizers: SGD with momentum (and Nesterov), RMSprop, Adam and the
exponential learning-rate decay, each against Keras's own implementation.

An update check runs Keras's optimizer (``keras.optimizers.SGD``, ``RMSprop``, ``Adam``) on a
``keras.Variable`` and gives the student's function the same gradients, step after step: the
student's returned weights and state go into its next call, and at every step they must equal
Keras's weights and optimizer state (the state the contract names: the velocity, the moving
averages). The gradients come from a random quadratic problem evaluated at Keras's weights, with
some coordinates' gradients scaled far down (1e-6 and less), where the placement of epsilon decides
the step. The inputs must come back unmodified (in trusted grading too: arrays passed to the
sandbox are updated in place after the call). At the first step that differs, the step is redone
with the mistakes the messages know (momentum without the velocity, Nesterov as plain momentum,
a flipped velocity sign, RMSprop without the square root or with epsilon outside it, Adam without
bias correction, with the textbook's epsilon or a step count shifted by one...), from the inputs of
that step, and the message names the one that matches.

Tolerance (:data:`RTOL` = 1e-5, relative to the largest magnitude the compared array has had on
the trajectory so far, the starting weights included, so that a weight crossing zero is not held
to its own tiny size): the
float64 problems give Keras float64 variables and float64 hyperparameters, and every learning rate
is a float32 number (Keras keeps it in a float32 variable), so Keras computes what the contract
says to about 1e-15. The float32 problems run Keras in float32 with hyperparameters that float32
represents exactly; a float64 implementation then differs from it by float32's rounding (6e-8 per
operation), measured below 1e-6 over :data:`STEPS` steps (no failure of the reference over 60 steps
and 60 random problems per optimizer, nor over 150 grading keys of the hidden cells). Every
mistake above changes a step by more than 1e-3 of the array's scale on these problems.

The schedule check compares the student's learning rates with
``keras.optimizers.schedules.ExponentialDecay`` (computed in float64) at steps chosen around the
staircase's edges.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checks import CheckFailed, call_student, expect_value_error, fail, require  # noqa: F401
from autograder.checks._common import as_number, quiet, same_contents
from course.runtime import import_keras

RTOL = 1e-5
STEPS = 8
SHAPES = ((5,), (3, 4), (2, 3, 2), (1,))


# ---------------------------------------------------------------------------- problems
@dataclass
class Problem:
    """A random quadratic loss: per-coordinate curvature and minimum, noise per step, and a scale per
    coordinate (some tiny) that multiplies the gradient."""

    w0: np.ndarray
    curvature: np.ndarray
    target: np.ndarray
    noise: np.ndarray  # (steps, *shape)
    scale: np.ndarray
    dtype: str

    def gradient(self, w: np.ndarray, step: int) -> np.ndarray:
        """The gradient at ``w`` for update ``step`` (from 0), in the problem's dtype."""
        g = (self.curvature * (np.asarray(w, dtype=np.float64) - self.target) + self.noise[step]) * self.scale
        return g.astype(self.dtype)


def problem(seed: int, shape: tuple[int, ...] = (3, 4), dtype: str = "float64", tiny: bool = True,
            steps: int = STEPS, weight_scale: float = 0.1) -> Problem:
    """A random problem; ``tiny`` scales a third of the coordinates' gradients down to 1e-6..1e-8."""
    rng = np.random.default_rng(7100 + seed)
    size = int(np.prod(shape))
    scale = np.exp(rng.uniform(np.log(0.3), np.log(3.0), size=size))
    if tiny:
        picked = rng.permutation(size)[: max(1, size // 3)]
        scale[picked] = np.exp(rng.uniform(np.log(1e-8), np.log(1e-6), size=len(picked)))
    return Problem(w0=(rng.normal(size=shape) * weight_scale).astype(dtype),
                   curvature=rng.uniform(0.2, 3.0, size=shape), target=rng.normal(size=shape) * weight_scale,
                   noise=rng.normal(0, 0.5, size=(steps, *shape)), scale=scale.reshape(shape), dtype=dtype)


def exact_float32(value: float) -> float:
    """``value`` rounded to the nearest float32 number, as a Python float (Keras keeps the learning
    rate in a float32 variable; with this the student and Keras use the same number)."""
    return float(np.float32(value))


def _hyper(value: float, dtype: str) -> Any:
    """A hyperparameter for Keras: a float64 number for float64 variables (a Python float would be
    rounded to float32 on its way into TensorFlow), a Python float for float32 ones."""
    return np.float64(value) if dtype == "float64" else float(value)


# ---------------------------------------------------------------------------- comparison helpers
def _array(value: Any, name: str, what: str, shape: tuple[int, ...]) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{name} should return {what} as an array, got {type(value).__name__}.")
    if array.shape != shape:
        fail(f"{name} returned {what} of shape {array.shape}; it has the weights' shape {shape}.")
    return array


def _unpack(result: Any, name: str, parts: Sequence[str], shape: tuple[int, ...]) -> list[np.ndarray]:
    if not isinstance(result, (tuple, list)) or len(result) != len(parts):
        got = f"a {type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list)) \
            else type(result).__name__
        fail(f"{name} should return the tuple ({', '.join(parts)}); got {got}. The new optimizer state is "
             "returned next to the new weights, so that the next call can use it.")
    return [_array(value, name, part, shape) for value, part in zip(result, parts)]


def _close(got: np.ndarray, expected: np.ndarray, rtol: float = RTOL, scale: float = 0.0) -> bool:
    """Equal to ``rtol`` of the larger of the element and ``scale`` (at least the array's largest
    magnitude; the trajectory's so far, so that a weight crossing zero is not held to its own size)."""
    if not np.all(np.isfinite(got)):
        return False
    scale = max(scale, float(np.max(np.abs(expected))) if expected.size else 0.0)
    return bool(np.all(np.abs(got - expected) <= rtol * (np.abs(expected) + scale) + 1e-300))


def _worst(got: np.ndarray, expected: np.ndarray) -> str:
    index = np.unravel_index(np.argmax(np.where(np.isfinite(got), np.abs(got - expected), np.inf)), got.shape)
    return (f"at index {tuple(int(i) for i in index)} it is {got[index]:.8g}, Keras has {expected[index]:.8g}")


def _copies(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(np.array(a, copy=True) for a in arrays)


def _require_unmodified(name: str, before: Sequence[np.ndarray], after: Sequence[Any], names: Sequence[str]) -> None:
    for old, new, what in zip(before, after, names):
        require(same_contents(old, new), f"{name} modified its input {what} in place; the contract asks for new arrays "
                                 "(the caller may still need the old ones: write new = ..., not old += ...).")


def _match(got: np.ndarray, candidates: Sequence[tuple[Any, str]]) -> str | None:
    """The message of the first candidate (an array, or None when it does not apply) that ``got`` equals."""
    for value, message in candidates:
        if value is None:
            continue
        with np.errstate(all="ignore"):
            value = np.asarray(value, dtype=np.float64)
        if value.shape == got.shape and np.all(np.isfinite(value)) and _close(got, value, RTOL):
            return message
    return None


def _hyperparameters(hyper: dict[str, tuple[Any, Any]]) -> tuple[dict[str, Any], list[Any]]:
    """From ``{name: (value or None, Keras's default)}``: the arguments the call passes (None is left
    out, so that the student's default is used) and every value in effect, in order."""
    given = {name: value for name, (value, _) in hyper.items() if value is not None}
    return given, [default if value is None else value for value, default in hyper.values()]


def _one_state_call(given: dict[str, Any]) -> Callable:
    """How :func:`_run` calls an optimizer with one state array: ``fn(w, grad, state, **given)``."""
    def call(fn, w, g, state, step):
        return call_student(fn, w, g, state[0], **given)
    return call


def _describe(hyper: dict[str, Any]) -> str:
    """The arguments passed, for a message; "defaults" when none is."""
    return ", ".join(f"{k}={v!r}" if not isinstance(v, float) else f"{k}={v:g}" for k, v in hyper.items()) \
        or "defaults"


def _run(name: str, fn: Callable, make_optimizer: Callable[[], Any], keras_state: Callable[[Any, np.ndarray,
         np.ndarray], list[np.ndarray]], prob: Problem, state_names: Sequence[str], call: Callable,
         diagnose: Callable, settings: str) -> None:
    """Run Keras and the student's function side by side on ``prob``; fail at the first difference.

    ``call(fn, w, g, state, step)`` calls the student's function (``step`` counts from 1);
    ``keras_state(optimizer, w_before, w_after)`` reads Keras's state after a step;
    ``diagnose(w, g, state, step, got_w, got_state, expected_w, expected_state)`` names a mistake or
    returns None.
    """
    keras = import_keras()
    shape = prob.w0.shape
    with quiet():
        optimizer = make_optimizer()
        variable = keras.Variable(prob.w0, dtype=prob.dtype)
    w = np.array(prob.w0, copy=True)
    state = [np.zeros(shape, dtype=prob.dtype) for _ in state_names]
    keras_w = np.array(prob.w0, dtype=np.float64)
    scales = [float(np.max(np.abs(keras_w)))] + [0.0] * len(state_names)  # largest magnitudes so far
    for step in range(1, len(prob.noise) + 1):
        g = prob.gradient(keras_w, step - 1)
        with quiet():
            optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), variable)])
            new_keras_w = np.asarray(variable.numpy(), dtype=np.float64)
            expected_state = keras_state(optimizer, keras_w, new_keras_w)
        inputs = (w, g, *state)
        before = _copies(*inputs)
        result = call(fn, w, g, state, step)
        _require_unmodified(name, before, inputs, ("w", "grad", *state_names))
        got_w, *got_state = _unpack(result, name, ("new_w", *(f"new_{s}" for s in state_names)), shape)
        where = f"{name} at step {step} ({settings}; weights of shape {shape}, {prob.dtype})"
        expected_all = [new_keras_w, *expected_state]
        scales = [max(scale, float(np.max(np.abs(e)))) for scale, e in zip(scales, expected_all)]
        agree = [_close(got, e, scale=scale) for got, e, scale in zip([got_w, *got_state], expected_all, scales)]
        if not all(agree):
            w64, g64 = np.asarray(w, dtype=np.float64), np.asarray(g, dtype=np.float64)
            state64 = [np.asarray(s, dtype=np.float64) for s in state]
            with np.errstate(all="ignore"):
                named = diagnose(w64, g64, state64, step, got_w, got_state, new_keras_w, expected_state)
            if named:
                fail(f"{where}: {named}")
            if not all(np.all(np.isfinite(a)) for a in (got_w, *got_state)):
                fail(f"{where} returned NaN or infinity (a division by zero? a step count that starts at 0?).")
            if not agree[0]:
                fail(f"{where}: the new weights differ from Keras's: {_worst(got_w, new_keras_w)}.")
            for got, expected, part, same in zip(got_state, expected_state, state_names, agree[1:]):
                if not same:
                    fail(f"{where}: the weights agree but the returned {part} differs from Keras's state: "
                         f"{_worst(got, expected)}. Check what the contract says the {part} holds.")
        w, state, keras_w = result[0], list(result[1:]), new_keras_w


# ============================================================================ SGD with momentum
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


# ============================================================================ RMSprop
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


# ============================================================================ Adam
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


# ============================================================================ exponential decay
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
