"""Chapter 02's validation helpers (course.validation)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import KFold

from course import data, validation
from tests.solutions import solution


def test_regression_model_factory_builds_fresh_models_seeded_in_turn():
    """Chapter 02's build_model(): every call a new untrained model; a new factory with the same seed
    repeats the same models (each fold's model, rerun after rerun)."""
    first, again = validation.regression_model_factory(3, seed=5), validation.regression_model_factory(3, seed=5)
    models = [first(), first()]
    assert models[0] is not models[1]
    weights = [np.concatenate([w.ravel() for w in m.get_weights()]) for m in models]
    assert not np.allclose(weights[0], weights[1])  # seeded in turn: fold 1 is not fold 0's copy
    repeated = np.concatenate([w.ravel() for w in again().get_weights()])
    assert np.array_equal(repeated, weights[0])
    assert models[0].loss == "mse" and models[0].count_params() == 3 * 16 + 16 + 16 + 1


def test_claim_11_holdout_spreads_more_than_kfold_fast():
    """Claim 11, small version: on 150 samples the hold-out score spreads much more."""
    x, y = data.load_arrays("diabetes")
    x, y = validation.small_subset(x, y, 150, seed=0)
    spread = validation.holdout_vs_kfold_spread(
        x, y, seeds=range(15), k=5, holdout_split=solution("02-validation", "holdout_split"),
        shuffled_k_fold_indices=solution("02-validation", "shuffled_k_fold_indices"))
    assert spread.holdout_scores.shape == spread.kfold_means.shape == (15,)
    assert spread.holdout_std == pytest.approx(np.std(spread.holdout_scores))
    assert spread.kfold_std == pytest.approx(np.std(spread.kfold_means))
    assert spread.ratio > 2, spread


def test_mean_split_score_and_duplicate_demo():
    x, y = data.load_arrays("digits")
    leak = validation.duplicate_leak_demo(x, y, duplicate_fraction=0.3, seed=0)
    assert leak["val_with_copy_in_train"] > 0.15 and leak["val_with_copy_in_train_deduplicated"] == 0
    xd, yd = data.load_arrays("diabetes")
    folds = list(KFold(4, shuffle=True, random_state=0).split(xd))
    assert 30 < validation.mean_split_score(xd, yd, folds) < 60
    assert validation.class_counts(np.array([0, 2, 2]), 4).tolist() == [1, 0, 2, 0]


