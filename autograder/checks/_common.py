"""Helpers that several check modules share, written once: Keras when it is loaded, a quiet block
for test cells, calling student code, reading a number a student returned, comparing inputs, the
grader's own central differences.

Check modules import these by name from here, never from one another. Keras itself comes from
:func:`course.runtime.import_keras`. Nothing here computes a graded function's answer.
"""

from __future__ import annotations

import contextlib
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograder.checks import CheckFailed, fail
from course.runtime import import_keras, quiet_native_stderr


def loaded_keras():
    """Keras if something imported it already, else None: a NumPy-only notebook's checks do not pay
    TensorFlow's start-up to compare with Keras."""
    return import_keras() if "keras" in sys.modules else None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Keep TensorFlow's native log lines and Python warnings out of test cells (stderr fails them).

    One behaviour for every caller: the blocks run the grader's own Keras calls (or a student's
    call inside a check), and whatever they would print to stderr is noise in a test cell.
    """
    with quiet_native_stderr(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def call_student_as(fn: Callable, where: str, *args: Any, **kwargs: Any) -> Any:
    """Call student code; a crash becomes a message that shows the call as ``where`` (short, where
    :func:`autograder.checks.call_student` would print every argument)."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        fail(f"{getattr(fn, '__name__', 'the function')} is not implemented yet: it still raises "
             "NotImplementedError.")
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - any crash of student code is the student's failure
        fail(f"{where} raised {type(error).__name__}: {error}")


def as_number(value: Any, name: str, what: str) -> float:
    """A Python number out of a student's return value, or a message saying what came back."""
    if isinstance(value, (bool, np.bool_)):
        fail(f"{name} returned a boolean ({value}); it should return {what}.")
    if isinstance(value, (str, bytes)):
        fail(f"{name} returned the string {value!r}; it should return {what} (a number), not a label.")
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{name} should return {what}, got {type(value).__name__}.")
    if array.size != 1:
        fail(f"{name} should return one number ({what}), got an array of shape {array.shape}.")
    number = float(array.reshape(()))
    if not math.isfinite(number):
        fail(f"{name} returned {number}; it should return {what}, a finite number.")
    return number


def same_contents(before: Any, after: Any) -> bool:
    """Whether an input still holds what it held before the call (arrays elementwise, else ``==``)."""
    try:
        a, b = np.asarray(before), np.asarray(after)
    except Exception:  # noqa: BLE001 - what NumPy cannot take is compared with ==
        return before == after
    return a.shape == b.shape and bool(np.all(a == b))


def numerical_gradient(loss: Callable[[np.ndarray], float], values: np.ndarray, eps: Any = 1e-6) -> np.ndarray:
    """Central differences of a scalar ``loss`` with respect to every entry of ``values`` (float64).

    ``eps`` is the step, or one step per entry (an array of ``values``' shape). The grader's one
    copy: ``course`` keeps its own for claim 8 (``course/regularization.py``), since students import
    ``course`` and a helper there would hand ``gradient_check`` its numerical gradient, and
    ``course`` never imports the checks.
    """
    values = np.array(values, dtype=np.float64)
    steps = np.broadcast_to(np.asarray(eps, dtype=np.float64), values.shape)
    grad = np.zeros_like(values)
    for index in np.ndindex(values.shape):
        step = float(steps[index])
        plus, minus = values.copy(), values.copy()
        plus[index] += step
        minus[index] -= step
        grad[index] = (loss(plus) - loss(minus)) / (2 * step)
    return grad
