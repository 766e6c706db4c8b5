"""Checks of ``vectorize_sequences`` (multi-hot) and ``to_one_hot``, against NumPy and
``keras.utils.to_categorical`` (when Keras is loaded), and their random inputs.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import call_student, fail
from autograder.checks.preprocessing._common import _as_array, _first_bad_row


def check_vectorize_sequences(fn: Callable, sequences: Sequence[Sequence[int]], dimension: int) -> None:
    """Multi-hot: float32 (n, dimension), 1.0 at every index present (repeats still 1.0)."""
    where = f"vectorize_sequences(<{len(sequences)} sequences>, {dimension})"
    if any(len(s) == 0 for s in sequences):
        raw = _call_with_an_empty_sequence(fn, sequences, dimension, where,
                                           "The batch holds an empty sequence, which must give a row of zeros.")
    else:
        raw = call_student(fn, copy.deepcopy(sequences), dimension)
    result = _as_array(raw, f"the result of {where}")
    expected = np.zeros((len(sequences), dimension), dtype=np.float32)
    for row, sequence in enumerate(sequences):
        expected[row, [int(index) for index in sequence]] = 1.0
    n = len(sequences)
    if result.shape != expected.shape:
        if result.shape == (dimension, n):
            fail(f"{where} returned shape {result.shape}; expected {expected.shape}. Rows and "
                 "columns are swapped: one ROW per sequence, one column per possible index.")
        if result.ndim == 2 and result.shape[0] == n:
            fail(f"{where} returned {result.shape[1]} columns; expected dimension = {dimension}. "
                 "The width is the `dimension` argument, not the largest index seen + 1: another "
                 "batch may hold indices this one lacks, and the model needs a fixed input size.")
        fail(f"{where} returned shape {result.shape}; expected {expected.shape}.")
    if result.dtype != np.float32:
        kind = "a boolean" if result.dtype == bool else f"a {result.dtype}"
        fail(f"{where} returned {kind} array; the contract asks for float32 (networks take float "
             "tensors, and float64 doubles the memory): create it with dtype='float32' or "
             "convert with .astype('float32').")
    if np.array_equal(result, expected):
        return
    if np.any(result > 1):
        fail(f"{where}: some entries are larger than 1 ({result.max():g}). An index that occurs "
             "several times in a sequence must still give 1.0 (multi-hot marks presence, it does "
             "not count occurrences): assign 1.0 instead of adding 1.")
    if np.array_equal(result, np.roll(expected, -1, axis=1)):
        fail(f"{where}: the 1.0s sit one column to the left of the word indices (index j at "
             "column j - 1). The indices are already 0-based: put index j in column j.")
    row = _first_bad_row(result, expected)
    fail(f"{where}: row {row} (sequence {list(np.asarray(sequences[row]).tolist())}) has 1.0 at "
         f"columns {np.flatnonzero(result[row]).tolist()}, expected "
         f"{np.flatnonzero(expected[row]).tolist()}.")


def check_vectorize_empty_sequence(fn: Callable) -> None:
    """An empty sequence (a plain empty list) gives a row of zeros."""
    sequences = [[2, 0], [], [1, 1, 3]]
    _call_with_an_empty_sequence(fn, sequences, 5, f"vectorize_sequences({sequences}, 5)",
                                 "An empty sequence must give a row of zeros.")
    check_vectorize_sequences(fn, sequences, 5)


def _call_with_an_empty_sequence(fn: Callable, sequences: Sequence[Sequence[int]], dimension: int, where: str,
                                 expected: str):
    """``fn`` on a batch with an empty sequence (a copy); a crash fails with the usual cause."""
    try:
        return fn(copy.deepcopy(sequences), dimension)
    except NotImplementedError:
        fail("vectorize_sequences is not implemented yet: it still raises NotImplementedError.")
    except Exception as error:  # noqa: BLE001 - any crash of student code is the student's failure
        fail(f"{where} raised {type(error).__name__}: {error}. {expected} `np.array([])` is a float64 array, "
             "which cannot index; loop over the indices, or use list(sequence) or np.asarray(sequence, dtype=int).")


def random_sequences(seed: int, n: int, dimension: int, max_length: int = 12,
                     as_arrays: bool = False) -> list:
    """``n`` random sequences with repeats and some empty ones (seeded)."""
    rng = np.random.default_rng(seed)
    sequences = []
    for _ in range(n):
        length = int(rng.integers(0, max_length + 1))
        seq = rng.integers(0, dimension, length)
        sequences.append(seq if as_arrays else seq.tolist())
    return sequences


# ---------------------------------------------------------------------------- to_one_hot
def check_to_one_hot(fn: Callable, labels: Sequence[int], num_classes: int) -> None:
    """float32 (n, num_classes) with 1.0 at column labels[i], as keras.utils.to_categorical."""
    shown = list(np.asarray(labels).tolist())
    where = f"to_one_hot({shown if len(shown) <= 8 else f'<{len(shown)} labels>'}, {num_classes})"
    result = _as_array(call_student(fn, copy.deepcopy(labels), num_classes), f"the result of {where}")
    codes = np.asarray(labels, dtype=np.int64)
    if "keras" in sys.modules:  # the contract's own definition, when Keras is loaded
        expected = np.asarray(sys.modules["keras"].utils.to_categorical(codes, num_classes), dtype=np.float32)
    else:
        expected = np.eye(num_classes, dtype=np.float32)[codes]
    if result.shape != expected.shape:
        if result.ndim == 2 and result.shape[0] == len(expected) and result.shape[1] == max(shown) + 1:
            fail(f"{where} returned {result.shape[1]} columns; expected num_classes = {num_classes}. "
                 "The width comes from num_classes, not from the largest label present: a batch "
                 "may lack the last classes.")
        if result.shape == expected.shape[::-1]:
            fail(f"{where} returned shape {result.shape}; expected {expected.shape}: one row "
                 "per label, one column per class.")
        fail(f"{where} returned shape {result.shape}; expected {expected.shape} "
             "(one row per label, num_classes columns).")
    if result.dtype != np.float32:
        kind = {True: "boolean"}.get(result.dtype == bool, str(result.dtype))
        fail(f"{where} returned a {kind} array; keras.utils.to_categorical gives float32, and "
             "the contract asks for float32: use dtype='float32' or .astype('float32').")
    if np.array_equal(result, expected):
        return
    if np.array_equal(result, np.roll(expected, -1, axis=1)):
        fail(f"{where}: every 1.0 sits one column to the left (label k at column k - 1, label 0 "
             "wrapping to the last column). Labels are 0-based: put label k in column k.")
    ranks = np.unique(np.asarray(labels), return_inverse=True)[1].ravel()
    if len(ranks) and np.array_equal(result, np.eye(num_classes, dtype=np.float32)[ranks]):
        fail(f"{where}: the columns follow the rank of each label among the labels present "
             "(np.unique), not the label itself. Label k must be column k even when some "
             "classes do not occur in this batch.")
    row = _first_bad_row(result, expected)
    fail(f"{where}: row {row} (label {shown[row]}) is {result[row].tolist()}, expected "
         f"{expected[row].tolist()}.")
