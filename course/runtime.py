"""Seeding and the fast mode: one place that every notebook, experiment and test uses.

Fast mode is on when nbgrader executes a notebook (it sets ``NBGRADER_EXECUTION`` to
``autograde`` or ``validate``) or when ``COURSE_FAST=1`` (set by the test suite and CI). In
fast mode experiments train fewer epochs on fewer samples so that grading and CI stay quick;
the lecture numbers quoted in the text come from the full size.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
from collections.abc import Iterator
from typing import TypeVar

import numpy as np

T = TypeVar("T")

FAST_ENV_VAR = "COURSE_FAST"
NBGRADER_ENV_VAR = "NBGRADER_EXECUTION"


def is_fast_mode() -> bool:
    """Return True when experiments should run at their small size."""
    if os.environ.get(NBGRADER_ENV_VAR):
        return True
    return os.environ.get(FAST_ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def fast_mode(override: bool | None = None) -> bool:
    """The mode a function runs in: ``override`` when given, else :func:`is_fast_mode`.

    Functions that take ``fast: bool | None = None`` start with ``fast = runtime.fast_mode(fast)``.
    """
    return is_fast_mode() if override is None else bool(override)


def pick(full: T, fast: T, *, override: bool | None = None) -> T:
    """Return ``fast`` in fast mode and ``full`` otherwise (``override`` as in :func:`fast_mode`).

    >>> epochs = pick(full=60, fast=12)
    """
    return fast if fast_mode(override) else full


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and, if loaded, Keras/TensorFlow.

    Keras is only seeded when it has already been imported, so NumPy-only notebooks and
    tests do not pay TensorFlow's start-up time. With TensorFlow, op determinism is switched
    on too, so that the same seed gives the same numbers on the same machine.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed))
    if "keras" in sys.modules:
        keras = import_keras()

        keras.utils.set_random_seed(int(seed))
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()


def describe() -> str:
    """One line for the top of a notebook: the mode and why."""
    if os.environ.get(NBGRADER_ENV_VAR):
        return f"fast mode (nbgrader {os.environ[NBGRADER_ENV_VAR]})"
    if is_fast_mode():
        return f"fast mode ({FAST_ENV_VAR}=1)"
    return "full mode"


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence C/C++ writes to file descriptor 2 for the duration of the block.

    TensorFlow's absl logging prints start-up and tf.data lines straight to the descriptor,
    ignoring ``TF_CPP_MIN_LOG_LEVEL``; in a notebook they look like errors. Python warnings and
    exceptions are not affected: they do not go through descriptor 2 in a Jupyter kernel, and
    exceptions still propagate.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 (embedded interpreters): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras():
    """Import Keras (and its TensorFlow backend) without TensorFlow's native start-up chatter."""
    if "keras" not in sys.modules:
        with quiet_native_stderr():
            import keras  # noqa: F401
    return sys.modules["keras"]
