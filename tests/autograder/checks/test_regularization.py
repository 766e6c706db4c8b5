"""Chapter 05's regularization checks accept independent correct answers and name each mistake (the
chapter's helpers and claims: tests/course/test_regularization.py)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import regularization as checks
from tests.solutions import solution


# ---------------------------------------------------------------------------- independent correct answers
def l1_penalty(weights, l1):
    arrays = weights if isinstance(weights, list) else [weights]
    return l1 * sum(float(np.abs(a).sum()) for a in arrays)


def l2_penalty(weights, l2):
    arrays = weights if isinstance(weights, list) else [weights]
    total = 0.0
    for a in arrays:  # loop version
        for value in np.ravel(a):
            total += float(value) ** 2
    return l2 * total


def l1_l2_penalty(weights, l1, l2):
    return l1_penalty(weights, l1) + l2_penalty(weights, l2)


def l2_cost(weights, lambd, m):
    arrays = weights if isinstance(weights, list) else [weights]
    return lambd / (2 * m) * sum(np.linalg.norm(np.ravel(a)) ** 2 for a in arrays)


def grad(dW, W, lambd, m):
    return dW + lambd / m * W


def decay(W, dW, lr, lambd, m):
    return W * (1 - lr * lambd / m) - lr * dW


def max_norm(w, max_value, axis=0):
    norms = np.linalg.norm(w, axis=axis, keepdims=True)
    return w * np.minimum(1.0, max_value / (norms + 1e-7))


# ---------------------------------------------------------------------------- checks accept correct
def test_checks_accept_reference_answers_with_and_without_keras(keras):
    for kind, fn in (("l1", l1_penalty), ("l2", l2_penalty), ("l1_l2", l1_l2_penalty)):
        checks.check_penalty_on_random_inputs(fn, kind)
    checks.check_keras_default_factor(l2_penalty, checks.random_weights(1))
    checks.check_l2_cost_on_random_inputs(l2_cost)
    checks.check_l2_regularized_gradient_on_random_inputs(grad)
    checks.check_weight_decay_step_on_random_inputs(decay)
    checks.check_decay_equals_gradient_step(decay)
    with pytest.raises(checks.CheckFailed, match="same update"):
        checks.check_decay_equals_gradient_step(lambda W, dW, lr, lambd, m: W - lr * dW)
    checks.check_max_norm_on_random_inputs(max_norm)


def test_keras_max_norm_equals_the_formula(keras):
    """The check's oracle (Keras's MaxNorm, float32) and the contract's formula (the notebook's
    solution, and the independent one above) agree within the check's tolerance."""
    for seed, axis in ((3, 0), (4, 1)):
        w = checks.max_norm_matrix(seed, shape=(7, 5)).astype(np.float64)
        from_keras = np.asarray(keras.constraints.MaxNorm(1.0, axis=axis)(w.astype(np.float32)), dtype=np.float64)
        assert np.allclose(from_keras, solution("05-weight-regularization", "max_norm")(w, 1.0, axis), rtol=1e-5)
        assert np.allclose(from_keras, max_norm(w, 1.0, axis), rtol=1e-5)
        checks.check_max_norm(solution("05-weight-regularization", "max_norm"), w, 1.0, axis=axis)


@pytest.mark.parametrize("wrong, kind, words", [
    (lambda w, l1: l1 * sum(np.sum(a) for a in (w if isinstance(w, list) else [w])), "l1", "absolute"),
    (lambda w, l1: l1 * np.abs(w[0] if isinstance(w, list) else w).sum(), "l1", "first array"),
    (lambda w, l2: 0.5 * l2 * sum(np.sum(a ** 2) for a in (w if isinstance(w, list) else [w])), "l2", "1/2"),
    (lambda w, l2: l2 * sum(np.linalg.norm(a) for a in (w if isinstance(w, list) else [w])), "l2", "squared norm"),
    (lambda w, l1, l2: l1_l2_penalty(w, l2, l1), "l1_l2", "swapped"),
])
def test_penalty_checks_name_the_mistake(keras, wrong, kind, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_penalty_on_random_inputs(wrong, kind)


@pytest.mark.parametrize("wrong, check, words", [
    (lambda w, lam, m: lam / m * sum(np.sum(a ** 2) for a in (w if isinstance(w, list) else [w])),
     checks.check_l2_cost_on_random_inputs, "lambda/m"),
    (lambda dW, W, lam, m: dW - lam / m * W, checks.check_l2_regularized_gradient_on_random_inputs, "sign"),
    (lambda dW, W, lam, m: dW + lam * W, checks.check_l2_regularized_gradient_on_random_inputs, "divide"),
    (lambda W, dW, lr, lam, m: W * (1 - lr * lam / m), checks.check_weight_decay_step_on_random_inputs,
     "data gradient"),
    (lambda w, r, axis=0: w * min(1.0, r / np.linalg.norm(w)), checks.check_max_norm_on_random_inputs, "whole matrix"),
    (lambda w, r, axis=0: w * r / np.linalg.norm(w, axis=axis, keepdims=True),
     checks.check_max_norm_on_random_inputs, "even those"),
    (lambda w, r, axis=0: max_norm(w, r, 1 - axis), checks.check_max_norm_on_random_inputs, "axis"),
])
def test_other_checks_name_the_mistake(keras, wrong, check, words):
    with pytest.raises(CheckFailed, match=words):
        check(wrong)


def test_checks_reject_in_place_modification(keras):
    def in_place(W, dW, lr, lam, m):
        W *= 1 - lr * lam / m
        W -= lr * dW
        return W

    with pytest.raises(CheckFailed, match="in place"):
        checks.check_weight_decay_step_on_random_inputs(in_place)
