"""Check helpers that test cells call: each failure names the likely misconception.

A check raises :class:`CheckFailed` (an ``AssertionError``) with a message written for the
student, so nbgrader's feedback shows the message rather than a bare ``assert`` line.

Hidden test cells take their random inputs from :func:`hidden_seeds` and :func:`hidden_rng`. In
the source notebook (nbval, a student's own run) these give fixed seeds, so the cells repeat
exactly; the trusted grader sets a secret grading key (:func:`set_grading_key`) first, and then
every call draws new seeds from it, so the hidden inputs exist only at grading time and a leaked
copy of the tests does not tell which inputs will be used.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

_grading_key: bytes | None = None
_draw_counter = itertools.count()
SEED_BOUND = 2**30  # drawn seeds (plus small offsets) suit numpy, Keras and TensorFlow alike


def set_grading_key(key: bytes | None) -> None:
    """Draw hidden inputs from ``key`` from now on (``None``: back to the fixed defaults)."""
    global _grading_key, _draw_counter
    _grading_key = key
    _draw_counter = itertools.count()


def hidden_seeds(defaults: Iterable[int]) -> list[int]:
    """Seeds for hidden inputs: ``defaults`` without a grading key, else as many drawn ones.

    Draws depend only on the key and the order of the calls, so regrading one submission with
    the same key repeats its inputs exactly.
    """
    defaults = [int(seed) for seed in defaults]
    if _grading_key is None:
        return defaults
    call = next(_draw_counter)
    return [int.from_bytes(hmac.new(_grading_key, f"{call}:{i}".encode(), hashlib.sha256).digest()[:8], "big")
            % SEED_BOUND for i in range(len(defaults))]


def hidden_rng(default_seed: int = 0) -> np.random.Generator:
    """A generator for hidden inputs (sizes, shapes, factors), seeded like :func:`hidden_seeds`."""
    return np.random.default_rng(hidden_seeds([default_seed])[0])


class CheckFailed(AssertionError):
    """A graded property does not hold; the message explains the likely cause."""


def fail(message: str) -> None:
    raise CheckFailed(message)


def require(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def call_student(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call a student's function; turn a crash into a message that shows the call."""
    name = getattr(fn, "__name__", "the function")
    shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        fail(f"{name} is not implemented yet: it still raises NotImplementedError.")
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - any crash of student code is the student's failure
        fail(f"{name}({shown}) raised {type(error).__name__}: {error}")


def value_error_of(call: Callable[[], Any], name: str, where: str, why: str = "") -> tuple[ValueError | None, Any]:
    """Run ``call()`` (a student's function ``name`` on a bad input, shown as ``where``) expecting
    ``ValueError``: the error it raised and None, or None and what it returned. Any other exception
    fails the check (NotImplementedError as not implemented yet; ``why`` says which input is bad)."""
    try:
        returned = call()
    except ValueError as error:
        return error, None
    except NotImplementedError:
        fail(f"{name} is not implemented yet: it still raises NotImplementedError.")
    except Exception as error:  # noqa: BLE001 - student code: any other error is reported as the wrong one
        fail(f"{where} should raise ValueError{f' ({why})' if why else ''}, but raised "
             f"{type(error).__name__}: {error}")
    return None, returned


def expect_value_error(fn: Callable, *args: Any, why: str) -> None:
    """Require that ``fn(*args)`` raises ``ValueError``; ``why`` says which input is bad."""
    name = getattr(fn, "__name__", "the function")
    where = f"{name}({', '.join(repr(a) for a in args)})"
    error, _ = value_error_of(lambda: fn(*args), name, where, why)
    if error is None:
        fail(f"{where} should raise ValueError ({why}), but returned normally.")


def as_index_array(value: Any, what: str) -> np.ndarray:
    """Convert ``value`` to a 1-D int64 array of indices, or fail saying what is wrong."""
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{what} should be an array of integer indices, got {type(value).__name__}.")
    if array.dtype == bool:
        fail(f"{what} is a boolean mask; return the integer indices instead (np.flatnonzero).")
    if array.ndim != 1:
        fail(f"{what} should be one-dimensional, got shape {array.shape}.")
    if array.size == 0:
        return array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        if np.issubdtype(array.dtype, np.floating) and np.all(np.mod(array, 1) == 0):
            fail(f"{what} holds floats ({array.dtype}); indices must be integers "
                 "(use an integer dtype, e.g. np.arange or .astype(int)).")
        fail(f"{what} should hold integer indices, got dtype {array.dtype}.")
    return array.astype(np.int64)


def as_split_list(value: Any, what: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Materialize a sequence of ``(train_idx, val_idx)`` pairs."""
    if isinstance(value, (np.ndarray, str, bytes)) or not isinstance(value, Iterable):
        fail(f"{what} should be a list of (train_idx, val_idx) pairs, got {type(value).__name__}.")
    splits = []
    for i, pair in enumerate(value):
        try:
            train_idx, val_idx = pair
        except (TypeError, ValueError):
            fail(f"{what}: item {i} should be a pair (train_idx, val_idx).")
        splits.append((as_index_array(train_idx, f"{what}, split {i}, train_idx"),
                       as_index_array(val_idx, f"{what}, split {i}, val_idx")))
    return splits


def preview(indices: np.ndarray, limit: int = 8) -> str:
    """Short text for an index array in a message."""
    items = indices.tolist()
    return str(items) if len(items) <= limit else str(items[:limit])[:-1] + ", ...]"


def train_in_order(model: Any, x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int) -> list[float]:
    """``model.fit(x, y, epochs, batch_size, shuffle=False).history["loss"]``, batch by batch.

    ``train_on_batch`` runs the same compiled train step as ``fit``, and each epoch's loss is the
    batch losses' mean weighted by batch size, as ``fit`` reports it. ``fit`` would also build a
    ``tf.data`` pipeline on every call, whose graph optimization wakes a pool of threads: on a
    tiny model that doubles the time and, with several submissions graded at once, the wait.
    """
    losses = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = slice(start, start + batch_size)
            total += float(np.ravel(model.train_on_batch(x[batch], y[batch]))[0]) * len(x[batch])
        losses.append(total / len(x))
    return losses
