"""What chapter 06's dropout checks share: the rates and shapes they use, reading a
student's array or 0/1 mask (with the message for a mask of the wrong shape or already scaled), and
the ``ValueError`` expected for a bad rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.checks import CheckFailed, fail

SIGMAS = 7.0  # two-sided normal tail beyond 7 sd: about 2.6e-12 per statistic
BAD_RATES = (-0.1, 1.0, 1.5)
# Independence across calls: masks of SMALL_SHAPE drawn one after another from one generator.
SMALL_SHAPE = (8, 8)
ACROSS_RATE = 0.4
ACROSS_CALLS = 300

def _expect_value_error(fn: Callable, where: str, why: str, *args: Any, **kwargs: Any) -> None:
    try:
        fn(*args, **kwargs)
    except ValueError:
        return
    except NotImplementedError:
        fail(f"{getattr(fn, '__name__', 'the function')} is not implemented yet: it still raises "
             "NotImplementedError.")
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - student code: any other error is reported as the wrong one
        fail(f"{where} should raise ValueError ({why}), but raised {type(error).__name__}: {error}")
    fail(f"{where} should raise ValueError ({why}), but returned normally.")


def _tolerance(p: float, n: int) -> float:
    """SIGMAS binomial standard deviations of a proportion with success probability p over n trials."""
    return SIGMAS * math.sqrt(max(p * (1 - p), 1e-12) / n)


def _shape_tuple(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if np.isscalar(shape) else tuple(int(s) for s in shape)


def _numeric_array(value: Any, what: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{what} should be a NumPy array, got {type(value).__name__}.")
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        fail(f"{what} should be a numeric NumPy array, got dtype {array.dtype} ({type(value).__name__}).")
    return array


def _broadcast_message(what: str, got: tuple, expected: tuple) -> str:
    if len(got) == len(expected) and all(g in (1, e) for g, e in zip(got, expected)):
        shared = [i for i, (g, e) in enumerate(zip(got, expected)) if g == 1 and e > 1]
        if shared == [0]:
            return (f"{what} has shape {got} instead of {expected}: one mask shared by every row (sample) "
                    "of the batch. Every element needs its own independent draw: draw a mask of the "
                    "full shape.")
        return (f"{what} has shape {got} instead of {expected}: the same value is shared along axis "
                f"{shared}. Every element needs its own independent draw of the full shape.")
    if len(got) < len(expected) and tuple(expected[len(expected) - len(got):]) == got:
        return (f"{what} has shape {got} instead of {expected}: one mask per column (unit), broadcast "
                "over the rows, so every sample drops the same units. Draw a mask of the full shape.")
    return f"{what} has shape {got}, expected {expected} (the shape of the input)."


def _as_01(value: Any, shape: tuple, what: str, rate: float, allow_bool: bool) -> np.ndarray:
    """A 0/1 mask of ``shape`` as float64, or a failure naming what is wrong."""
    array = _numeric_array(value, what)
    if array.dtype == bool and not allow_bool:
        fail(f"{what} is a boolean array; the contract asks for 0/1 numbers (any numeric dtype): "
             "convert with .astype(float) or .astype(int).")
    if array.shape != shape:
        fail(_broadcast_message(what, array.shape, shape))
    array = array.astype(np.float64)
    values = np.unique(array)
    if np.all(np.isin(values, (0.0, 1.0))):
        return array
    if rate > 0 and np.allclose(values[values != 0], 1 / (1 - rate), rtol=1e-5):
        fail(f"{what} holds 0 and 1/(1 - rate) = {1 / (1 - rate):.4g}: it is already scaled. The mask is 0/1 "
             "(1 = kept); the scaling by 1/(1 - rate) belongs to the output.")
    fail(f"{what} should hold only 0 and 1, found values such as {values[:5].tolist()}.")
