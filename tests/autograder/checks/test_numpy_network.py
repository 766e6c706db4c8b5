"""Chapter 06's NumPy network checks accept the solution and name each usual mistake (the course
helpers: tests/course/test_numpy_network.py)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import numpy_network as checks
from tests.solutions import solution

NAMES = ("network_forward", "network_loss", "network_backward", "gradient_check")


# ---------------------------------------------------------------------------- the checks
def test_the_solutions_pass_every_check_on_many_draws():
    forward, loss, backward, gradient_check = (solution("06-dropout", name) for name in NAMES)
    for seed in range(40):
        checks.check_network_forward_on_random_inputs(forward, seeds=[seed, seed + 1, seed + 2])
        checks.check_network_loss_on_random_inputs(loss, seeds=range(seed, seed + 4))
        checks.check_network_backward_on_random_inputs(backward, seeds=range(seed, seed + 4))
        checks.check_gradient_check(gradient_check, seed)
        checks.check_gradient_check_central(gradient_check, seed)


def _one_sided(loss, params, grads, eps=1e-7):
    base, a, n = loss(params), [], []
    for key in params:
        for index in np.ndindex(params[key].shape):
            moved = {k: np.array(v, dtype=float) for k, v in params.items()}
            moved[key][index] += eps
            n.append((loss(moved) - base) / eps)
            a.append(grads[key][index])
    a, n = np.array(a), np.array(n)
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))


def test_a_one_sided_gradient_check_is_named():
    with pytest.raises(CheckFailed, match="one-sided"):
        checks.check_gradient_check_central(_one_sided, seed=0)


def test_a_backward_pass_without_the_l2_term_is_named():
    backward = solution("06-dropout", "network_backward")

    def no_l2(y, params, cache, lambd, rate=0.0):
        return backward(y, params, cache, 0.0, rate)

    with pytest.raises(CheckFailed, match="no L2 term"):
        checks.check_network_backward(no_l2, seed=0)


def test_the_recorded_loss_knows_its_gradient():
    params = {"W1": np.array([[0.5, -1.0]]), "b1": np.array([0.25])}
    loss = checks.RecordedLoss(params, cubic=0.5, seed=1)
    gradient = loss.gradient()
    for key in params:
        for index in np.ndindex(params[key].shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][index] += 1e-6
            minus[key][index] -= 1e-6
            assert abs((loss(plus) - loss(minus)) / 2e-6 - gradient[key][index]) < 1e-6
