"""Checks of ``cross_validate(build_model, x, y, folds, epochs, batch_size)``, the K-fold loop:
one fresh model per fold, trained on the fold's training rows standardized with their
statistics, scored on its validation rows; the scores, their mean and the histories, each
wrong one diagnosed (leaks, swapped parts, the loss for the MAE...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import fail, preview, value_error_of
from autograder.checks._common import call_student_as, quiet
from autograder.checks.validation._common import Split
from autograder.checks.validation._cv_models import (
    CV_TOLERANCE,
    ModelFactory,
    SmallKerasRegressor,
    StandInRegressor,
    _cv_data,
    _cv_folds,
    _RecordedModel,
)


def _standardized(x: np.ndarray, statistics_rows: np.ndarray, ddof: int = 0, axis: Any = 0) -> np.ndarray:
    part = x[statistics_rows]
    return (x - part.mean(axis=axis)) / part.std(axis=axis, ddof=ddof)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=CV_TOLERANCE, atol=CV_TOLERANCE))


def _rows_of(targets: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Which rows of ``y`` the given targets are (in their order), or None if some are not y's values."""
    order = np.argsort(y)
    positions = np.clip(np.searchsorted(y[order], targets), 1, len(y) - 1)
    nearest = np.where(np.abs(y[order][positions - 1] - targets) <= np.abs(y[order][positions] - targets),
                       positions - 1, positions)
    rows = order[nearest]
    return rows if np.all(np.abs(y[rows] - targets) < 1e-3) else None


def _transform_diagnosis(passed: np.ndarray, rows: np.ndarray, x: np.ndarray, train_idx: np.ndarray,
                         val_idx: np.ndarray, part: str) -> str:
    """Why the inputs passed for ``rows`` are not the rows standardized with the training statistics."""
    everything = np.arange(len(x))
    own = train_idx if part == "training" else val_idx
    candidates = [
        (x[rows], f"the {part} inputs are not standardized at all (raw features). Standardize with the mean "
                  "and standard deviation of the fold's training rows."),
        (_standardized(x, everything)[rows],
         f"the {part} inputs are standardized with statistics computed on all the rows: the validation fold "
         "shapes the preprocessing, a leak. Compute the mean and standard deviation on the fold's training rows "
         "only, and apply them to both parts."),
        (_standardized(x, own)[rows] if part == "validation" else None,
         "the validation rows are standardized with their own mean and standard deviation (a scaler fitted on "
         "the validation part separately). Apply the training rows' statistics to the validation rows too: a "
         "model must see its inputs on the scale it was trained on."),
        (_standardized(x, train_idx, ddof=1)[rows],
         f"the {part} inputs use the sample standard deviation (ddof=1); the contract asks for the population "
         "standard deviation, ddof=0 (np.std's default, as StandardScaler)."),
        (_standardized(x, train_idx, axis=None)[rows],
         f"the {part} inputs are standardized with one mean and one standard deviation over all the features; "
         "standardize each feature (column) separately: axis=0."),
        (_standardized(x, val_idx if part == "training" else train_idx)[rows] if part == "training" else None,
         "the training rows are standardized with the validation rows' statistics; use the training rows' own."),
    ]
    for candidate, message in candidates:
        if candidate is not None and _close(passed, candidate):
            return message
    return (f"the {part} inputs are not the fold's {part} rows standardized with the training rows' mean and "
            "standard deviation (per feature, ddof=0).")


def _call_cross_validate(cross_validate: Callable, where: str, *args: Any, **kwargs: Any) -> Any:
    with quiet():
        return call_student_as(cross_validate, where, *args, **kwargs)


def _cv_result(result: Any, k: int, where: str) -> tuple[np.ndarray, float, list]:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"{where} should return a tuple (fold_scores, mean_score, histories), got "
             f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
             + ".")
    fold_scores, mean_score, histories = result
    try:
        scores = np.asarray(fold_scores, dtype=np.float64).reshape(-1)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{where}: fold_scores should be a list or 1-D array of {k} numbers, got {type(fold_scores).__name__}.")
    if scores.size != k:
        fail(f"{where}: fold_scores holds {scores.size} values for {k} folds; return one score per fold.")
    try:
        mean = float(np.asarray(mean_score, dtype=np.float64).reshape(()))
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{where}: mean_score should be one number, got {type(mean_score).__name__}.")
    if not isinstance(histories, (list, tuple)) or len(histories) != k:
        fail(f"{where}: histories should be a list of the {k} folds' history dicts (history.history), got "
             f"{type(histories).__name__}" + (f" of length {len(histories)}" if isinstance(histories, (list, tuple))
                                              else "") + ".")
    return scores, mean, list(histories)


def _check_one_model_per_fold(factory: ModelFactory, k: int, where: str) -> None:
    built = len(factory.built)
    fits = [len(model.fits) for model in factory.built]
    if built == 0:
        fail(f"{where} never called build_model(): build a fresh model for each fold with it.")
    if any(count > 1 for count in fits):
        fail(f"{where} called build_model() {built} time(s) for {k} folds, and fit {max(fits)} times on one model: "
             "a model is reused across folds. Build a fresh model inside the loop, once per fold: the previous "
             "fold's model has already trained on this fold's validation rows.")
    if built < k:
        fail(f"{where} called build_model() {built} time(s) for {k} folds; build a fresh model for every fold.")
    if built > k:
        fail(f"{where} called build_model() {built} times for {k} folds; call it exactly once per fold.")
    if 0 in fits:
        fail(f"{where}: model #{fits.index(0)} was built but never trained (fit was not called on it).")


def _check_fit_inputs(factory: ModelFactory, x: np.ndarray, y: np.ndarray, folds: Sequence[Split],
                      where: str) -> list[_RecordedModel]:
    """Each fold's model: the one trained on exactly that fold's training rows, standardized with their
    statistics, with the fold's validation rows (standardized the same way) as validation_data."""
    by_fold: dict[int, _RecordedModel] = {}
    everything = set(range(len(x)))
    for model in factory.built:
        fit = model.fits[0]
        rows = _rows_of(fit["y"], y)
        if rows is None:
            fail(f"{where}: the targets passed to fit are not values of y. Pass y[train_idx] unchanged: only the "
                 "inputs are standardized, the targets are not.")
        row_set = set(rows.tolist())
        if len(row_set) != len(rows):
            fail(f"{where}: fit got some rows more than once; pass each training row once.")
        fold = next((i for i, (train_idx, _) in enumerate(folds) if row_set == set(train_idx.tolist())), None)
        if fold is None:
            swapped = next((i for i, (_, val_idx) in enumerate(folds) if row_set == set(val_idx.tolist())), None)
            if swapped is not None:
                fail(f"{where}: a model was trained on fold {swapped}'s validation rows: training and validation are "
                     "swapped. Each pair of folds is (train_idx, val_idx): train on the first, score on the second.")
            if row_set == everything:
                fail(f"{where}: a model was trained on all the rows, its validation fold included; train on the "
                     "fold's training rows only.")
            leaked = [i for i, (train_idx, val_idx) in enumerate(folds)
                      if set(train_idx.tolist()) <= row_set and row_set & set(val_idx.tolist())]
            if leaked:
                fail(f"{where}: fold {leaked[0]}'s model was trained on some of its validation rows as well: the "
                     "validation rows leak into training.")
            fail(f"{where}: a model was trained on rows that are not any fold's training rows "
                 f"({preview(np.sort(rows))}).")
        if fold in by_fold:
            fail(f"{where}: two models were trained on fold {fold}'s training rows; each fold trains its own "
                 "model once.")
        by_fold[fold] = model
        train_idx, val_idx = folds[fold]
        expected = _standardized(x, train_idx)[rows]
        if not _close(fit["x"], expected):
            fail(f"{where}, fold {fold}: " + _transform_diagnosis(fit["x"], rows, x, train_idx, val_idx, "training"))
        if fit["validation"] is None:
            fail(f"{where}, fold {fold}: fit was not given validation_data=(the standardized validation inputs, "
                 "their targets), so its history has no validation curve (val_loss, val_mae) to plot.")
        val_x, val_y = fit["validation"]
        val_rows = _rows_of(val_y, y)
        if val_rows is None or set(val_rows.tolist()) != set(val_idx.tolist()) or len(val_rows) != len(val_idx):
            got = f"rows {preview(np.sort(val_rows))}" if val_rows is not None else "targets that are not values of y"
            fail(f"{where}, fold {fold}: validation_data should hold the fold's validation rows (val_idx) and their "
                 f"unchanged targets, got {got}.")
        if not _close(val_x, _standardized(x, train_idx)[val_rows]):
            fail(f"{where}, fold {fold} (validation_data): "
                 + _transform_diagnosis(val_x, val_rows, x, train_idx, val_idx, "validation"))
    return [by_fold[i] for i in range(len(folds))]


def _score_diagnosis(score: float, fold: int, model: _RecordedModel, models: list[_RecordedModel],
                     x: np.ndarray, y: np.ndarray, folds: Sequence[Split], expected: np.ndarray) -> str:
    train_idx, val_idx = folds[fold]
    x_val = _standardized(x, train_idx)[val_idx]
    predictions = model._outputs(x_val)
    guesses = [
        (float(np.mean((predictions.reshape(-1) - y[val_idx]) ** 2)),
         "is the mean squared error (the loss), not the MAE. model.evaluate returns [loss, mae]: the MAE is "
         "its second value, or compute mean(|y_val - prediction|) yourself."),
        (float(np.mean(np.abs(predictions - y[val_idx]))),
         f"compares predictions of shape {predictions.shape} with targets of shape {y[val_idx].shape}: the "
         "subtraction broadcasts to an (n, n) matrix. Flatten the predictions first (.reshape(-1) or .ravel())."),
        (float(np.mean(np.abs(model._outputs(_standardized(x, train_idx)[train_idx]).reshape(-1) - y[train_idx]))),
         "is the MAE on the training rows; score each fold on its validation rows."),
    ]
    for guess, message in guesses:
        if np.isclose(score, guess, rtol=CV_TOLERANCE, atol=1e-6):
            return f"fold {fold}'s score {message}"
    if any(np.isclose(score, e, rtol=CV_TOLERANCE, atol=1e-6) for e in expected):
        return (f"fold {fold}'s score {score:.6g} is another fold's score: return the scores in the order of the "
                "folds.")
    for other in models:
        if other is not model:
            mae = float(np.mean(np.abs(other._outputs(x_val).reshape(-1) - y[val_idx])))
            if np.isclose(score, mae, rtol=CV_TOLERANCE, atol=1e-6):
                return f"fold {fold} was scored with another fold's model; score each fold with its own model."
    for method, inputs, fits_before in model.scored:
        if fits_before == 0:
            return f"fold {fold}'s model was asked for predictions (model.{method}) before it was trained."
        if inputs.shape[0] == len(val_idx) and not _close(inputs, x_val):
            return f"fold {fold}'s score: " + _transform_diagnosis(inputs, val_idx, x, train_idx, val_idx,
                                                                   "validation")
    return (f"fold {fold}'s score is {score:.6g}, expected {expected[fold]:.6g}: the mean absolute error between "
            "y_val and the trained model's predictions for the standardized validation rows.")


def _check_scores_and_mean(scores: np.ndarray, mean: float, models: list[_RecordedModel], x: np.ndarray,
                           y: np.ndarray, folds: Sequence[Split], where: str) -> np.ndarray:
    expected = np.array([
        float(np.mean(np.abs(model._outputs(_standardized(x, train_idx)[val_idx]).astype(np.float64).reshape(-1)
                             - y[val_idx])))
        for model, (train_idx, val_idx) in zip(models, folds)])
    for fold, score in enumerate(scores):
        if not np.isclose(score, expected[fold], rtol=CV_TOLERANCE, atol=1e-6):
            fail(f"{where}: " + _score_diagnosis(score, fold, models[fold], models, x, y, folds, expected))
    if np.isclose(mean, expected.mean(), rtol=CV_TOLERANCE, atol=1e-6):
        return expected
    sizes = np.array([len(val_idx) for _, val_idx in folds])
    guesses = [
        (expected[-1], "is the last fold's score only"),
        (expected[0], "is the first fold's score only"),
        (float(np.sum(expected)), "is the sum of the fold scores, not their mean"),
        (float(np.sum(expected) / (len(expected) - 1)), "divides the sum of the scores by K - 1"),
        (float(np.average(expected, weights=sizes)),
         "weights the folds by their sizes (the MAE pooled over all validation rows)"),
        (float(np.median(expected)), "is the median of the fold scores"),
    ]
    for guess, text in guesses:
        if np.isclose(mean, guess, rtol=CV_TOLERANCE, atol=1e-6):
            fail(f"{where}: mean_score {text}; the K-fold estimate is the plain mean of the K fold scores.")
    fail(f"{where}: mean_score is {mean:.6g}, but the mean of the fold scores is {expected.mean():.6g}.")


def _check_histories(histories: list, models: list[_RecordedModel], where: str) -> None:
    recorded = [model.fits[0]["history"] for model in models]
    for fold, history in enumerate(histories):
        if not isinstance(history, dict):
            kind = getattr(history, "description", type(history).__name__)
            fail(f"{where}: histories[{fold}] is {kind}; return each fold's history.history (the dict of "
                 "per-epoch values that fit's History object holds), not the History object itself.")
        same = [i for i, want in enumerate(recorded) if set(history) == set(want) and all(
            np.allclose(np.asarray(history[key], dtype=np.float64), want[key]) for key in want)]
        if fold not in same:
            fail(f"{where}: histories[{fold}] is not the history of fold {fold}'s fit"
                 + (" (it is another fold's: keep them in fold order)." if same else
                    " (return history.history of the model trained on that fold)."))


def _check_cross_validate_with(cross_validate: Callable, factory: ModelFactory, x: np.ndarray, y: np.ndarray,
                               folds: list[Split], epochs: int, batch_size: int, where: str,
                               as_lists: bool = False) -> None:
    x_arg, y_arg = x.copy(), y.copy()
    folds_arg = [((train.tolist(), val.tolist()) if as_lists else (train.copy(), val.copy())) for train, val in folds]
    result = _call_cross_validate(cross_validate, where, factory, x_arg, y_arg, folds_arg, epochs=epochs,
                                  batch_size=batch_size)
    if not (np.array_equal(x_arg, x) and np.array_equal(y_arg, y)):
        fail(f"{where} changed the caller's x or y in place; standardize copies (x[train_idx] makes one), "
             "never the data you were given.")
    scores, mean, histories = _cv_result(result, len(folds), where)
    _check_one_model_per_fold(factory, len(folds), where)
    models = _check_fit_inputs(factory, x, y, folds, where)
    for fold, model in enumerate(models):
        fit = model.fits[0]
        if fit["epochs"] != epochs or fit["batch_size"] != batch_size:
            fail(f"{where}, fold {fold}: fit ran with epochs={fit['epochs']}, batch_size={fit['batch_size']}; "
                 f"pass on the epochs={epochs} and batch_size={batch_size} you were given.")
    _check_scores_and_mean(scores, mean, models, x, y, folds, where)
    _check_histories(histories, models, where)


def check_cross_validate_recorded(cross_validate: Callable, n_samples: int = 12, k: int = 3, n_features: int = 2,
                                  seed: int = 0, epochs: int = 2, batch_size: int = 4,
                                  dtype: Any = np.float64, as_lists: bool = False) -> None:
    """With stand-in models of known outputs: one fresh model per fold trained once on exactly that
    fold's training rows, standardized with their statistics; validation_data the fold's validation
    rows standardized the same way; each score the MAE on the validation rows, in fold order; the
    plain mean; each fold's history dict; the caller's data unchanged."""
    x, y = _cv_data(seed, n_samples, n_features)
    x = x.astype(dtype).astype(np.float64) if dtype != np.float64 else x
    folds = _cv_folds(seed, n_samples, k)
    factory = ModelFactory(lambda number: StandInRegressor(number, n_features, seed), "stand-in models")
    where = f"cross_validate(build_model, x of shape {x.shape}, y, {k} folds, epochs={epochs})"
    _check_cross_validate_with(cross_validate, factory, x.astype(dtype), y, folds, epochs, batch_size, where,
                               as_lists=as_lists)


def check_cross_validate_on_random_data(cross_validate: Callable, seeds: Sequence[int] = (0, 1, 2)) -> None:
    """:func:`check_cross_validate_recorded` on new data and folds: the position of a seed picks the
    sizes (folds of equal and unequal sizes, one or several features), the dtype and whether the
    folds come as lists; the seed picks the numbers."""
    shapes = [(12, 3, 2), (23, 4, 3), (10, 5, 1), (17, 2, 4)]
    for n, seed in enumerate(seeds):
        n_samples, k, n_features = shapes[n % len(shapes)]
        check_cross_validate_recorded(cross_validate, n_samples=n_samples, k=k, n_features=n_features,
                                      seed=int(seed), epochs=1 + n % 2, batch_size=[4, 5, 32][n % 3],
                                      dtype=[np.float64, np.float32][n % 2], as_lists=n % 3 == 2)


def check_cross_validate_keras(cross_validate: Callable, seed: int = 0, n_samples: int = 15, k: int = 3,
                               n_features: int = 3, epochs: int = 2, batch_size: int = 8) -> None:
    """With real small Keras models: the same properties, and each fold's score equals the MAE that
    the grader computes with that fold's trained model on the standardized validation rows."""
    x, y = _cv_data(seed, n_samples, n_features)
    folds = _cv_folds(seed, n_samples, k)
    factory = ModelFactory(lambda number: SmallKerasRegressor(number, n_features, seed), "small Keras models")
    where = f"cross_validate(build_model of a small Keras regressor, x of shape {x.shape}, y, {k} folds)"
    _check_cross_validate_with(cross_validate, factory, x, y, folds, epochs, batch_size, where)


def check_cross_validate_rejects_leaky_folds(cross_validate: Callable, seed: int = 0) -> None:
    """ValueError for a fold whose validation indices also appear in its training indices."""
    x, y = _cv_data(seed, 10, 2)
    rng = np.random.default_rng([seed, 4])
    leaked = int(rng.integers(5, 10))
    folds = [(np.arange(5, 10), np.arange(5)), (np.arange(leaked + 1), np.arange(5, 10))]
    factory = ModelFactory(lambda number: StandInRegressor(number, 2, seed), "stand-in models")
    where = "cross_validate(build_model, x, y, folds) with a fold whose training part holds validation rows"
    def call():
        with quiet():
            return cross_validate(factory, x, y, folds, epochs=1, batch_size=4)

    error, _ = value_error_of(call, "cross_validate", where, "a validation row in the training part is a leak")
    if error is not None:
        return
    fail(f"{where} should raise ValueError: a validation row in the training part is an information leak, and the "
         "score would be optimistic.")
