"""Chapter 05 helpers (course.regularization): the noisy-digits comparison, the custom regularizer,
claims 3/4/5/8 and the L2 sweep."""

from __future__ import annotations

import numpy as np
import pytest

from course import regularization as reg
from tests.solutions import solution


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
    l2_penalty = solution("05-weight-regularization", "l2_penalty")
    gradient = solution("05-weight-regularization", "l2_regularized_gradient")
    regularizer = reg.penalty_regularizer(lambda w: l2_penalty(w, factor),
                                          lambda w: gradient(np.zeros_like(w), w, 2 * factor, 1))
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


