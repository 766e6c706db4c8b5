"""Chapter 06 helpers (course.dropout): the experiments that take a student's dropout, run here with the
notebook's own functions, and claims 6, 7, 9 and 17 in fast mode."""

from __future__ import annotations

import numpy as np

from course import dropout as drop
from tests.solutions import solution


def dropout_forward(*args, **kwargs):  # the chapter's own, loaded when a test runs (never at collection)
    return solution("06-dropout", "dropout_forward")(*args, **kwargs)


def mc_dropout_predict(*args, **kwargs):
    return solution("06-dropout", "mc_dropout_predict")(*args, **kwargs)


def test_expected_activation_table_has_keras_rows_and_the_given_forward(keras):
    table = drop.expected_activation_table(dropout_forward, rates=(0.5,), size=20_000)
    assert table["implementation"].tolist() == ["keras Dropout", "NumPy"]
    assert table["identity at inference"].all()
    assert (abs(table["mean ratio"] - 1) < 6 * table["std error"]).all()
    assert drop.expected_activation_table(None, rates=(0.5,), size=20_000)["implementation"].tolist() == [
        "keras Dropout"]


def test_time_step_masks_share_one_mask_per_sequence():
    rng = np.random.default_rng(0)
    same = drop.time_step_masks(5, 8, 16, 0.3, rng, same_mask_each_step=True)
    fresh = drop.time_step_masks(5, 8, 16, 0.3, rng, same_mask_each_step=False)
    assert same.shape == fresh.shape == (5, 8, 16)
    assert all(np.array_equal(same[:, t], same[:, 0]) for t in range(8))
    assert not all(np.array_equal(fresh[:, t], fresh[:, 0]) for t in range(8))


def test_alpha_dropout_keeps_the_variance_and_dropout_does_not(keras):
    moments = drop.dropout_moments(rate=0.2, n=200_000).set_index("layer")
    assert abs(moments.loc["AlphaDropout(0.2)", "std"] - 1) < 0.02
    assert abs(moments.loc["Dropout(0.2)", "std"] - np.sqrt(1.25)) < 0.02


# ---------------------------------------------------------------------------- claims (fast)
def _well_formed(result):
    held, figures, summary = result
    assert isinstance(held, bool) and isinstance(summary, str) and summary
    assert figures and all(np.isfinite(float(v)) for v in figures.values())
    return held, figures, summary


def test_claim_7_holds(keras):
    held, figures, _ = _well_formed(drop.inverted_dropout_expectation_claim([0, 1, 2], fast=True))
    assert held and figures["inference_identity_share"] == 1.0


def test_claim_9_fast_runs_and_spread_is_larger_on_wrong_predictions(keras):
    held, figures, summary = _well_formed(drop.mc_dropout_uncertainty_claim([0], fast=True))
    assert figures["std_wrong"] > figures["std_right"]
    assert "seeds" in summary
    run = drop.run_mc_dropout(0, fast=True, mc_predict=mc_dropout_predict)
    again = drop.run_mc_dropout(0, fast=True, mc_predict=mc_dropout_predict)
    # dropout streams are reset before each MC run: the same passes whatever ran before
    assert np.array_equal(run.mc_mean, again.mc_mean)


def test_claim_6_fast_runs(keras):
    _, figures, summary = _well_formed(drop.dropout_delays_overfitting_claim([0], fast=True))
    assert "end_val_ce_dropout_mean" in figures and "accuracy" in summary


def test_dropout_sweep_rows_and_claim_17_fast(keras):
    frame = drop.dropout_sweep([0], True, rates=(0.0, 0.5))
    assert sorted(frame["dropout rate"]) == [0.0, 0.5] and frame["val accuracy"].between(0, 1).all()
    _, figures, _ = _well_formed(drop.dropout_rate_u_shape_claim([0], fast=True))
    assert figures["best_rate"] in drop.DROPOUT_SWEEP


