"""Checks of chapter 06's ``gradient_check``: it receives a grader-side loss,
:class:`RecordedLoss`, which the sandbox calls by reference (``__grading_remote__``): the loss
records which entries each call moved, so a one-sided difference or a skipped parameter is named
from the grader's own record; the relative error is compared with central differences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from autograder.checks import CheckFailed, fail, require
from autograder.checks._common import numerical_gradient
from autograder.checks.numpy_network._common import (
    _call,
    _copy,
    _displaced,
    _same,
)


class RecordedLoss:
    """A grader-side loss ``f(params) = sum_k sum_i (w/2) (theta - t)^2 + v sin(theta) + c theta^3`` over
    every entry of every array of ``params``, with known gradient. It records, for each call, the entries
    that differ from ``base`` (the point of the check), so the check can say how the student probed it."""

    # Called by reference from the grading sandbox: the calls run (and are recorded) here.
    __grading_remote__: ClassVar[tuple[str, ...]] = ("__call__",)

    def __init__(self, base: dict, curvature: float = 1.0, cubic: float = 0.0, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.base = _copy(base)
        self.centre = {k: v + rng.uniform(-1.0, 1.0, size=v.shape) / curvature for k, v in self.base.items()}
        self.curvature, self.cubic = curvature, cubic
        self.wave = {k: rng.uniform(0.5, 1.5, size=v.shape) for k, v in self.base.items()}
        self.moved: list[list[tuple[str, tuple, float]]] = []  # per call: (name, index, step) of moved entries
        self.bad_input: str = ""

    def __repr__(self) -> str:
        return f"RecordedLoss(a loss of {sum(v.size for v in self.base.values())} parameters)"

    def gradient(self) -> dict:
        return {k: self.curvature * (v - self.centre[k]) + self.wave[k] * np.cos(v) + 3 * self.cubic * v ** 2
                for k, v in self.base.items()}

    def __call__(self, params: Any) -> float:
        if not isinstance(params, dict) or set(params) != set(self.base):
            keys = sorted(params) if isinstance(params, dict) else ""
            self.bad_input = f"the loss was called with {type(params).__name__} {keys}, not a dict like params"
            raise ValueError(self.bad_input)
        values = {}
        for k, v in params.items():
            v = np.asarray(v, dtype=np.float64)
            if v.shape != self.base[k].shape:
                self.bad_input = f"the loss was called with params['{k}'] of shape {v.shape}, not {self.base[k].shape}"
                raise ValueError(self.bad_input)
            values[k] = v
        self.moved.append([(k, index, float(values[k][index] - self.base[k][index]))
                           for k in values for index in zip(*np.nonzero(_displaced(values[k], self.base[k])))])
        return float(sum(np.sum(self.curvature / 2 * (v - self.centre[k]) ** 2 + self.wave[k] * np.sin(v)
                                + self.cubic * v ** 3) for k, v in values.items()))


def _params_for_check(seed: int) -> dict:
    rng = np.random.default_rng(6000 + seed)
    return {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=2), "W2": rng.normal(size=(2, 1)),
            "b2": rng.normal(size=1)}


def _run_gradient_check(gradient_check: Callable, loss: RecordedLoss, grads: dict, eps: float) -> float:
    params = _copy(loss.base)
    where = f"gradient_check(loss, params, grads, eps={eps:g})"
    sent_grads = _copy(grads)
    try:
        value = _call(gradient_check, where, loss, params, sent_grads, eps)
    except CheckFailed:
        if loss.bad_input:
            fail(f"{where}: {loss.bad_input}. Call loss with a dict like params in which one entry is moved.")
        raise
    require(not any(_displaced(np.asarray(params[k], dtype=np.float64), loss.base[k]).any() for k in loss.base),
            f"{where} left params changed: put every entry you move back (or move a copy).")
    require(_same(grads, sent_grads), f"{where} modified grads.")
    try:
        value = float(value)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{where} should return the relative error as a float, got {type(value).__name__}.")
    require(np.isfinite(value), f"{where} returned {value}.")
    return value


def _probing_message(loss: RecordedLoss, eps: float) -> str | None:
    """What the record of the loss's calls says about how the entries were moved (None: as expected)."""
    sizes = sum(v.size for v in loss.base.values())
    if any(len(moved) > 1 for moved in loss.moved):
        return ("moved several entries at once in one call of the loss: move one entry at a time, so each "
                "difference measures one partial derivative")
    steps: dict[tuple[str, tuple], set[float]] = {}
    for moved in loss.moved:
        for name, index, step in moved:
            steps.setdefault((name, index), set()).add(round(step / eps, 3))
    missing = sizes - len(steps)
    if missing:
        return (f"never moved {missing} of the {sizes} parameter entries: the check covers every entry of every "
                "parameter (weights and biases)")
    if any(signs == {1.0} or signs == {-1.0} for signs in steps.values()):
        return ("moved each entry in one direction only: a one-sided difference (L(theta + eps) - L(theta)) / eps "
                "has an error proportional to eps; use the central difference with theta + eps and theta - eps")
    if any(signs != {1.0, -1.0} for signs in steps.values()):
        return f"moved the entries by other steps than +eps and -eps (eps={eps:g}, the argument received)"
    return None


def check_gradient_check(gradient_check: Callable, seed: int = 0) -> None:
    """With the exact gradient of a smooth loss the relative error is tiny (below 1e-7), and with a gradient
    off by a known amount it equals ||a - n|| / (||a|| + ||n||) computed here."""
    base = _params_for_check(seed)
    loss = RecordedLoss(base, seed=seed)
    exact = loss.gradient()
    value = _run_gradient_check(gradient_check, loss, exact, 1e-6)
    if value > 1e-7:
        probing = _probing_message(loss, 1e-6)
        if probing:
            fail(f"gradient_check with the exact gradient gave a relative error of {value:.3g}; it {probing}.")
        if abs(value - 1 / 3) < 1e-3:
            fail(f"gradient_check with the exact gradient gave {value:.4g}, about 1/3: the numerical gradient is twice "
                 "too large. The central difference divides by 2 * eps, the distance between theta - eps and "
                 "theta + eps.")
        fail(f"gradient_check with the exact gradient of a smooth loss gave a relative error of {value:.3g}; "
             "expected below 1e-7.")
    rng = np.random.default_rng(7000 + seed)
    off = {k: v + rng.normal(0, 0.3, size=v.shape) for k, v in exact.items()}
    flat = np.concatenate([v.ravel() for v in exact.values()])
    flat_off = np.concatenate([v.ravel() for v in off.values()])
    difference = np.linalg.norm(flat_off - flat)
    expected = difference / (np.linalg.norm(flat_off) + np.linalg.norm(flat))
    loss = RecordedLoss(base, seed=seed)
    value = _run_gradient_check(gradient_check, loss, off, 1e-6)
    if np.isclose(value, expected, rtol=1e-4, atol=0):
        return
    probing = _probing_message(loss, 1e-6)
    if probing:
        fail(f"gradient_check {probing}.")
    for wrong, message in ((difference, "returns ||a - n|| without dividing by ||a|| + ||n||: the relative error "
                                        "divides by the sum of the two norms, so that it does not depend on the "
                                        "gradient's scale"),
                           (difference ** 2, "returns the squared distance ||a - n||^2 without the denominator"),
                           (difference / np.linalg.norm(flat_off), "divides by ||a|| only; the denominator is "
                                                                     "||a|| + ||n||"),
                           (difference / np.linalg.norm(flat), "divides by ||n|| only; the denominator is "
                                                                 "||a|| + ||n||"),
                           (difference / np.linalg.norm(flat_off + flat), "divides by ||a + n||; the denominator is "
                                                                          "||a|| + ||n||, the sum of the two norms")):
        if np.isclose(value, wrong, rtol=1e-4):
            fail(f"gradient_check {message} (got {value:.5g}, expected {expected:.5g}).")
    fail(f"gradient_check with a gradient off by a known amount gave {value:.5g}; the relative error "
         f"||a - n|| / (||a|| + ||n||) over all the entries of all the parameters is {expected:.5g}.")


def check_gradient_check_central(gradient_check: Callable, seed: int = 0) -> None:
    """A loss with large curvature: the central difference is exact on it (error below 1e-7), a one-sided
    difference is off by eps times the curvature. With a cubic term and a large eps, the relative error
    equals the central difference's own error computed here with that eps (so eps is the one received)."""
    base = _params_for_check(seed)
    loss = RecordedLoss(base, curvature=1e4, seed=seed)
    value = _run_gradient_check(gradient_check, loss, loss.gradient(), 1e-4)
    if value > 1e-7:
        probing = _probing_message(loss, 1e-4)
        if probing:
            fail(f"gradient_check on a loss with large curvature (eps=1e-4) gave a relative error of {value:.3g} "
                 f"with the exact gradient; it {probing}.")
        fail(f"gradient_check on a loss with large curvature (eps=1e-4) gave a relative error of {value:.3g} with "
             "the exact gradient; the central difference gives below 1e-7 there.")
    eps = 1e-2
    loss = RecordedLoss(base, cubic=2.0, seed=seed)
    exact = loss.gradient()
    value = _run_gradient_check(gradient_check, loss, exact, eps)
    numeric = np.concatenate([numerical_gradient(lambda v, name=name: loss({**_copy(base), name: v}), base[name],
                                                 eps).ravel() for name in base])
    loss.moved.clear()
    flat = np.concatenate([v.ravel() for v in exact.values()])
    expected = np.linalg.norm(flat - numeric) / (np.linalg.norm(flat) + np.linalg.norm(numeric))
    if np.isclose(value, expected, rtol=1e-3):
        return
    if value < expected / 10:
        fail(f"gradient_check(..., eps={eps:g}) gave {value:.3g}, but central differences with a step of {eps:g} "
             f"give {expected:.3g} on this loss: the function does not use the eps it receives.")
    fail(f"gradient_check(..., eps={eps:g}) gave {value:.3g} on a loss with a cubic term; central differences with "
         f"that step give {expected:.3g}.")
