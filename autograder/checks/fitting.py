"""Checks for chapter 04 (fitting): parameter counts, the overfitting onset, the generalization gap.

The checks test the contract of the syllabus's graded API: ``count_parameters`` against
Keras's ``count_params``, ``overfitting_onset`` against ``np.argmin(...) + 1`` and
``generalization_gap`` against ``val_loss[-1] - loss[-1]``. Failure messages name the usual
misconceptions (a 0-based epoch, the last minimum, the sign of the gap, ...). The expected values
are computed inside the checks, which return nothing: no function here gives a graded function's
answer (a student's code can import this module).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import call_student, expect_value_error, fail, require
from course.runtime import import_keras


# ------------------------------------------------------------------------- helpers
def _whole_number(got: Any, expected: int, where: str, wanted: str, kind: str) -> int:
    """``got`` as an int, or a failure: a float equal to ``expected`` is told to return ``wanted``
    instead, anything else that it should return ``kind``."""
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
        if isinstance(got, (float, np.floating)) and float(got) == expected:
            fail(f"{where} returned the float {got!r}; return {wanted}.")
        fail(f"{where} should return {kind}, got {type(got).__name__} {got!r}.")
    return int(got)


# ------------------------------------------------------------------------- count_parameters
def check_count_parameters(count_parameters: Callable, input_dim: int, layer_sizes: Sequence[int]) -> None:
    """``count_parameters(input_dim, layer_sizes)`` equals Keras's count_params."""
    original = list(layer_sizes)
    got = call_student(count_parameters, input_dim, layer_sizes)
    expected = 0  # Keras cannot build a model without layers; the contract says 0
    if original:
        keras = import_keras()
        model = keras.Sequential([keras.Input((input_dim,))] + [keras.layers.Dense(u) for u in original])
        expected = int(model.count_params())
    where = f"count_parameters({input_dim}, {original})"
    if list(layer_sizes) != original:
        fail(f"{where} modified layer_sizes; leave the caller's list unchanged.")
    got = _whole_number(got, expected, where, "an int (the count of parameters)", "an int")
    if got == expected:
        return
    if not original:
        fail(f"{where} returned {got}, expected 0: with no layers there are no parameters.")
    weights_only = expected - sum(original)
    if got == weights_only:
        fail(f"{where} returned {got}, expected {expected}: every Dense unit also has a bias, "
             "so each layer has (inputs x units) weights plus units biases.")
    same_input = sum(input_dim * u + u for u in original)
    if got == same_input and len(original) > 1:
        fail(f"{where} returned {got}, expected {expected}: each layer's input is the previous "
             "layer's output (its number of units), not input_dim.")
    if len(original) > 1 and got == sum(a * b + b for a, b in zip(original[:-1], original[1:])):
        fail(f"{where} returned {got}, expected {expected}: the first layer connects to the "
             f"{input_dim} input features; do not skip it.")
    fail(f"{where} returned {got}, expected {expected} (Keras count_params). A Dense layer with "
         "n inputs and u units has n*u + u parameters.")


def random_architectures(seed: int, n: int = 8) -> list[tuple[int, list[int]]]:
    """``n`` random (input_dim, layer_sizes) pairs with 0 to 5 layers."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n):
        depth = int(rng.integers(0, 6))
        cases.append((int(rng.integers(1, 300)), [int(u) for u in rng.integers(1, 130, depth)]))
    return cases


# ------------------------------------------------------------------------ overfitting_onset
def check_overfitting_onset(overfitting_onset: Callable, val_losses: Any) -> None:
    """``overfitting_onset(val_losses)`` is the 1-based epoch of the first minimum."""
    kept = copy.deepcopy(val_losses)
    values = np.asarray(val_losses, dtype=np.float64)
    expected = int(np.argmin(values)) + 1
    got = call_student(overfitting_onset, val_losses)
    shown = np.round(values, 4).tolist()
    shown = shown if len(shown) <= 12 else str(shown[:12])[:-1] + ", ...]"
    where = f"overfitting_onset({shown})"
    if isinstance(val_losses, np.ndarray):
        require(np.array_equal(val_losses, kept), f"{where} modified its input array.")
    else:
        require(val_losses == kept, f"{where} modified its input list.")
    got = _whole_number(got, expected, where, "an int epoch number", "an int epoch number")
    if got == expected:
        return
    minima = np.flatnonzero(values == values.min()) + 1
    if got == expected - 1:
        fail(f"{where} returned {got}, expected {expected}: epochs count from 1 (the first value "
             "is epoch 1), so add 1 to the 0-based index of the minimum.")
    if got in minima and got != expected:
        fail(f"{where} returned {got}, expected {expected}: the lowest loss occurs at epochs "
             f"{minima.tolist()}; on ties report the FIRST (earliest) of them — overfitting "
             "starts as soon as validation stops improving.")
    if got + 1 in minima:
        fail(f"{where} returned {got}, expected {expected}: report the FIRST minimum and count "
             "epochs from 1 (add 1 to the 0-based index).")
    if got == int(np.argmax(values)) + 1 or got == int(np.argmax(values)):
        fail(f"{where} returned {got}, expected {expected}: that is the epoch of the HIGHEST "
             "validation loss (argmax); the onset is at the lowest one (argmin).")
    fail(f"{where} returned {got}, expected {expected}: the epoch (counting from 1) of the "
         "lowest validation loss, the earliest one on ties.")


def check_overfitting_onset_empty(overfitting_onset: Callable) -> None:
    """An empty list or array raises ValueError."""
    expect_value_error(overfitting_onset, [], why="there is no epoch in an empty list")
    expect_value_error(overfitting_onset, np.array([]), why="there is no epoch in an empty array")


def random_val_curves(seed: int, n: int = 6) -> list[Any]:
    """U-shaped, noisy, plateaued and monotone validation curves, as lists and arrays."""
    rng = np.random.default_rng(seed)
    curves = []
    for i in range(n):
        epochs = int(rng.integers(1, 40))
        best = int(rng.integers(0, epochs))
        t = np.arange(epochs)
        curve = 0.3 + 0.02 * (t - best) ** 2 + rng.normal(0, 0.002, epochs)
        if i % 3 == 1:  # a plateau: the minimum value repeats
            curve = np.round(curve, 1)
        curves.append(curve.tolist() if i % 2 == 0 else curve)
    return curves


# ----------------------------------------------------------------------- generalization_gap
class FakeHistory:
    """Stands in for ``keras.callbacks.History``: the curves live in ``.history``."""

    def __init__(self, record: dict[str, list[float]]):
        self.history = record
        self.epoch = list(range(len(record["loss"])))

    def __repr__(self) -> str:
        return f"History(history with keys {sorted(self.history)})"


def history_cases(seed: int, n: int = 5) -> list[dict[str, list[float]]]:
    """Random history dicts (loss, val_loss and an accuracy pair) of several lengths."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n):
        epochs = int(rng.integers(1, 30))
        loss = np.sort(rng.uniform(0.001, 2.0, epochs))[::-1]
        val = loss + rng.uniform(-0.1, 1.0, epochs)
        cases.append({"loss": loss.tolist(), "val_loss": val.tolist(),
                      "accuracy": rng.uniform(0, 1, epochs).tolist(),
                      "val_accuracy": rng.uniform(0, 1, epochs).tolist()})
    return cases


def check_generalization_gap(generalization_gap: Callable, history: Any) -> None:
    """``generalization_gap(history)`` equals ``val_loss[-1] - loss[-1]``."""
    record = history.history if hasattr(history, "history") else history
    kept = copy.deepcopy(dict(record))
    loss = np.asarray(record["loss"], dtype=np.float64)
    val = np.asarray(record["val_loss"], dtype=np.float64)
    expected = float(val[-1] - loss[-1])
    kind = "a History" if hasattr(history, "history") else "a dict"
    got = call_student(generalization_gap, history)
    where = f"generalization_gap({kind} with {len(loss)} epochs)"
    require(dict(record).keys() == kept.keys() and all(
        list(record[k]) == list(kept[k]) for k in kept), f"{where} modified the history.")
    try:
        got = float(got)
    except (TypeError, ValueError):
        fail(f"{where} should return a number, got {type(got).__name__} {got!r}.")
    if np.isclose(got, expected, rtol=1e-9, atol=1e-12):
        return
    if np.isclose(got, -expected, rtol=1e-9, atol=1e-12):
        fail(f"{where} returned {got:.6g}, expected {expected:.6g}: the sign is flipped. The gap "
             "is validation loss minus training loss (positive when the model does better on the "
             "data it trained on), not training minus validation.")
    if np.isclose(got, val[0] - loss[0]):
        fail(f"{where} returned {got:.6g}, expected {expected:.6g}: that is the FIRST epoch's gap; "
             "use the final epoch (index -1).")
    if np.isclose(got, val.max() - loss.min()) or np.isclose(got, val.min() - loss.min()):
        fail(f"{where} returned {got:.6g}, expected {expected:.6g}: use the losses of the same, "
             "final epoch, not minima or maxima over the run.")
    if np.isclose(got, float(np.mean(val - loss))):
        fail(f"{where} returned {got:.6g}, expected {expected:.6g}: that is the mean gap over all "
             "epochs; the contract asks for the final epoch's gap.")
    fail(f"{where} returned {got:.6g}, expected val_loss[-1] - loss[-1] = {expected:.6g}.")


def check_generalization_gap_both_kinds(generalization_gap: Callable, seed: int) -> None:
    """Each random history passes both as a dict and as a History-like object."""
    for record in history_cases(seed):
        check_generalization_gap(generalization_gap, record)
        check_generalization_gap(generalization_gap, FakeHistory(copy.deepcopy(record)))
