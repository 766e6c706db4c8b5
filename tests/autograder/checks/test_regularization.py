"""Chapter 05 helpers: the noisy-digits comparison, the custom regularizer, claims 3/4/5/8 and
the regularization checks."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import regularization as checks
from course import regularization as reg
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
@pytest.fixture(scope="module")
def keras():
    from course.runtime import import_keras

    return import_keras()


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


# ---------------------------------------------------------------------------- data and helpers
def test_the_five_models_differ_only_in_regularization():
    specs = reg.MODELS
    assert list(specs) == list(reg.MODEL_NAMES)
    assert {spec.hidden for spec in specs.values()} == {(512, 512)}
    assert specs["L1"].l1 == specs["L2"].l2 == reg.REG_FACTOR and specs["dropout"].dropout == reg.DROPOUT_RATE
    with pytest.raises(ValueError, match="unknown models"):
        reg.run_comparison(0, True, names=("baseline", "L3"))


def test_u_shape_needs_both_ends_clearly_above_an_inner_minimum():
    from course.spread import Spread

    low, high = Spread.of([0.40, 0.45]), Spread.of([0.60, 0.70])
    assert reg.is_u_shaped([high, low, high])
    assert not reg.is_u_shaped([low, high, high])  # minimum at an end
    # paired by seed: an end above the minimum in every seed counts, even when the ranges overlap ...
    assert reg.is_u_shaped([Spread.of([0.44, 0.62]), low, high])
    # ... an end below the minimum in one seed does not
    assert not reg.is_u_shaped([Spread.of([0.38, 0.62]), low, high])


def test_near_zero_share_and_rise():
    assert reg.near_zero_share([np.array([0.0, 0.5]), np.array([[1e-4, 2.0]])]) == 0.5
    assert reg.val_loss_rise([3.0, 1.0, 2.5], end_epochs=1) == 1.5
    # by default the end is the mean of the last five epochs, against the minimum before them
    assert reg.val_loss_rise([3.0, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]) == pytest.approx(2.5 - 1.0)
    assert reg.val_loss_rise([3.0, 2.0, 1.0]) == 0.0
    assert reg.val_loss_rise([3.0, 2.5, 2.0, 1.8, 1.6, 1.5, 1.4]) == 0.0  # still falling: no rise


def test_custom_regularizer_matches_keras_l2(keras):
    factor = 0.01
    regularizer = reg.penalty_regularizer(lambda w: l2_penalty(w, factor),
                                          lambda w: grad(np.zeros_like(w), w, 2 * factor, 1))
    assert isinstance(regularizer, keras.regularizers.Regularizer)
    table = reg.compare_custom_with_keras_l2(regularizer, factor=factor, epochs=2, n_train=64)
    assert np.allclose(table["custom"], table["keras L2"], rtol=1e-4)


# ---------------------------------------------------------------------------- claims
def test_claim_8_holds_exactly():
    held, figures, summary = reg.weight_decay_step_claim([0, 1, 2], fast=True)
    assert held and figures["max_step_difference"] <= 1e-12 and "decay" in summary


def test_claims_3_4_5_fast_runs_produce_figures(keras):
    seeds = [0, 1]
    held3, fig3, summary3 = reg.l2_lowers_final_val_loss_claim(seeds, True)
    held4, fig4, _ = reg.l1_sparsity_claim(seeds, True)
    held5, fig5, summary5 = reg.l2_rises_slowest_claim(seeds, True)
    assert {"baseline_end_val_ce_mean", "l2_end_val_ce_max", "l2_end_val_accuracy_min", "l2_lower_by_min"} <= set(fig3)
    assert all(np.isfinite(v) for v in (*fig3.values(), *fig4.values(), *fig5.values()))
    # per model: the rise, the end's cross-entropy and accuracy, each as mean, min and max
    assert len(fig5) == 9 * len(reg.MODEL_NAMES) and "lowest mean" in summary5 and "accuracy" in summary3
    # L1's penalty on ~670,000 weights makes its first loss the highest, even in the short run.
    assert fig4["first_epoch_loss_l1_min"] > fig4["first_epoch_loss_l2_max"]
    assert all(isinstance(h, bool) for h in (held3, held4, held5))
    # The compared validation loss is the cross-entropy without the penalty: equal to Keras's
    # val_loss for the unregularized baseline, below it for a penalized model.
    run = reg.run_comparison(0, True)
    np.testing.assert_allclose(run.curve("baseline"), run.curve("baseline", "val_loss"), rtol=1e-4)
    assert np.all(run.curve("L2") < run.curve("L2", "val_loss"))


def test_l2_sweep_chooses_on_validation_and_tests_once(keras):
    frame = reg.l2_sweep([0], True, factors=(0.0, 1e-1))
    assert sorted(frame["l2 factor"]) == [0.0, 0.1] and set(frame.columns) >= {"val crossentropy", "weight norm"}
    # a large factor shrinks the weights
    norms = frame.set_index("l2 factor")["weight norm"]
    assert norms[0.1] < norms[0.0]
    chosen = reg.choose_on_validation(frame, "l2 factor", lambda f: reg.fashion.NetworkSpec(l2=f), True)
    best = frame.loc[frame["val crossentropy"].idxmin(), "l2 factor"]
    assert chosen.value == best and 0 < chosen.test_accuracy.mean <= 1 and "test" in str(chosen)
