"""What the optimizer update checks share: the tolerance and the random quadratic problems, the
comparison helpers, and :func:`_run`, which steps Keras's optimizer and the student's function
side by side and diagnoses the first step that differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checks import call_student, fail, require
from autograder.checks._common import quiet, same_contents
from course.runtime import import_keras

RTOL = 1e-5
STEPS = 8
SHAPES = ((5,), (3, 4), (2, 3, 2), (1,))


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
