"""Checks of chapter 06's ``network_loss``: mean binary cross-entropy plus chapter 05's
``lambda/(2m)`` times the squared norms of the weight matrices, computed in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import fail, require
from autograder.checks.numpy_network._common import (
    TOLERANCE,
    _call,
    _copy,
    network_case,
)


def check_network_loss(network_loss: Callable, probs: np.ndarray, y: np.ndarray, params: dict, lambd: float) -> None:
    """The mean binary cross-entropy plus ``lambd / (2m)`` times the summed squared entries of the weight
    matrices (the biases are not penalized), as a float."""
    probs, y, params = np.asarray(probs, dtype=np.float64), np.asarray(y, dtype=np.float64), _copy(params)
    m = y.shape[0]
    where = f"network_loss(probs, y, params, lambd={lambd})"
    before = (probs.copy(), y.copy(), _copy(params))
    value = _call(network_loss, where, probs.copy(), y.copy(), _copy(params), lambd)
    require(np.array_equal(probs, before[0]) and np.array_equal(y, before[1]), f"{where} modified its inputs.")
    if isinstance(value, np.ndarray) and value.size != 1:
        fail(f"{where} should return one number (a float), got an array of shape {value.shape}: average the "
             "cross-entropy over the samples.")
    try:
        value = float(value)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{where} should return a float, got {type(value).__name__}.")
    entropy = -np.mean(y * np.log(probs) + (1 - y) * np.log(1 - probs))
    squares = sum(float(np.sum(params[k] ** 2)) for k in params if k.startswith("W"))
    all_squares = sum(float(np.sum(v ** 2)) for v in params.values())
    expected = entropy + lambd / (2 * m) * squares
    if np.isclose(value, expected, **TOLERANCE):
        return
    mistakes = [(entropy, "has no L2 term: add lambd / (2 * m) times the sum of the squared weights"),
                (entropy + lambd / m * squares, "uses lambd / m for the L2 term; chapter 05's convention is "
                                                "lambd / (2 * m) times the squared norms"),
                (entropy + lambd / 2 * squares, "forgets the 1/m of the L2 term: lambd / (2 * m), m the number "
                                                "of samples"),
                (entropy + lambd * squares, "uses lambd times the squared norms; the convention is lambd / (2 * m)"),
                (entropy + lambd / (2 * m) * all_squares, "penalizes the biases too: the L2 term sums the weight "
                                                          "matrices W1, ..., WL only"),
                (m * entropy + lambd / (2 * m) * squares, "sums the cross-entropy over the samples instead of "
                                                          "averaging it"),
                (-entropy + lambd / (2 * m) * squares, "has the cross-entropy's sign wrong: it is -mean(y log p + "
                                                       "(1 - y) log(1 - p)), a positive number")]
    for wrong, message in mistakes:
        if np.isclose(value, wrong, **TOLERANCE):
            fail(f"{where} = {value:.6g} {message} (expected {expected:.6g}).")
    fail(f"{where} = {value:.6g}, expected {expected:.6g}: the mean binary cross-entropy of probs against y "
         f"({entropy:.6g}) plus the L2 term ({lambd / (2 * m) * squares:.6g}).")


def check_network_loss_on_random_inputs(network_loss: Callable, seeds: Sequence[int] = range(4)) -> None:
    """Random probabilities, labels and tiny networks; lambda 0 included."""
    for n, seed in enumerate(seeds):
        case = network_case(seed, variant=n)
        rng = np.random.default_rng(500 + seed)
        probs = rng.uniform(0.02, 0.98, size=case["y"].shape)
        y = case["y"] if n % 2 else list(case["y"])
        check_network_loss(network_loss, probs, np.asarray(y), case["params"], 0.0 if n == 2 else case["lambd"])
