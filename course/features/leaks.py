"""Chapter 03's preprocessing leaks (claim 14): two ways of inflating a reported score, each next
to the honest protocol on the same data (see :mod:`course.features`). The claims standardize with
scikit-learn's ``StandardScaler``; the notebook passes the student's ``standardize``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from course.spread import Spread, clearly_below


@dataclass(frozen=True)
class TuningLeak:
    """Reported test accuracy and fresh-data accuracy of the model each protocol picked."""

    leaky_reported: float
    leaky_fresh: float
    honest_reported: float
    honest_fresh: float

    @property
    def leaky_inflation(self) -> float:
        return self.leaky_reported - self.leaky_fresh

    @property
    def honest_inflation(self) -> float:
        return self.honest_reported - self.honest_fresh


def _candidate_feature_sets(n_features: int, n_candidates: int, subset_size: int,
                            rng: np.random.Generator) -> list[np.ndarray]:
    return [np.sort(rng.choice(n_features, subset_size, replace=False)) for _ in range(n_candidates)]


def tuning_on_test_leak(x: np.ndarray, y: np.ndarray, seed: int, *, n_repeats: int = 40,
                        n_candidates: int = 30, subset_size: int = 3, n_train: int = 100,
                        n_val: int = 60, n_test: int = 60) -> TuningLeak:
    """Average over ``n_repeats`` random splits of picking one of ``n_candidates`` models.

    The candidates are ridge classifiers on random subsets of ``subset_size`` standardized
    features (a stand-in for any hyperparameter search). The leaky protocol picks the candidate
    with the best test accuracy and reports it; the honest one picks on the validation set and
    reports the test accuracy. The rest of the data, untouched by either, is the fresh data.
    """
    rng = np.random.default_rng(seed)
    totals = np.zeros(4)
    with threadpool_limits(1):  # thousands of tiny fits: BLAS threads cost more than they save
        for _ in range(n_repeats):
            totals += _tuning_repeat(x, y, rng, n_candidates, subset_size, n_train, n_val, n_test)
    return TuningLeak(*(totals / n_repeats))


def _tuning_repeat(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, n_candidates: int,
                   subset_size: int, n_train: int, n_val: int, n_test: int) -> np.ndarray:
    """One random split of ``tuning_on_test_leak``: (leaky reported, leaky fresh, honest
    reported, honest fresh)."""
    order = rng.permutation(len(x))
    parts = np.split(order, np.cumsum([n_train, n_val, n_test]))
    train, val, test, fresh = (x[p] for p in parts)
    y_train, y_val, y_test, y_fresh = (y[p] for p in parts)
    scaler = StandardScaler().fit(train)
    train, val, test, fresh = (scaler.transform(part) for part in (train, val, test, fresh))
    scores = []
    for columns in _candidate_feature_sets(x.shape[1], n_candidates, subset_size, rng):
        model = RidgeClassifier(alpha=1.0).fit(train[:, columns], y_train)
        scores.append([float(np.mean(model.predict(part[:, columns]) == labels))
                       for part, labels in ((val, y_val), (test, y_test), (fresh, y_fresh))])
    scores = np.array(scores)  # candidates x (val, test, fresh)
    by_test = int(np.argmax(scores[:, 1]))
    by_val = int(np.argmax(scores[:, 0]))
    return np.array([scores[by_test, 1], scores[by_test, 2], scores[by_val, 1], scores[by_val, 2]])


def diabetes_above_median() -> tuple[np.ndarray, np.ndarray]:
    """The diabetes data as a yes/no question: is the disease progression above the median?

    ``x`` is float64 (442, 10), the ten clinical measurements; ``y`` int64, 1 above the median.
    About half the patients are in each class, and the ten features predict it well but not
    perfectly (about 0.72 cross-validated accuracy with a logistic regression): a real score
    that a leak can visibly inflate, unlike the breast-cancer data, where the real features
    already give 0.95.
    """
    from course.data import load_arrays

    x, progression = load_arrays("diabetes")
    return x.astype(np.float64), (progression > np.median(progression)).astype(np.int64)


@dataclass(frozen=True)
class SelectionLeakSize:
    """How big claim 14's feature-selection experiment is."""

    n_samples: int      # patients drawn for each repeat
    n_noise: int        # pure-noise columns appended to the real features
    n_selected: int     # features kept by SelectKBest
    n_repeats: int      # data draws averaged per seed
    n_folds: int = 5


def selection_leak_size(fast: bool) -> SelectionLeakSize:
    """Claim 14's selection sizes: seconds at full size, a fraction of a second in fast mode."""
    if fast:
        return SelectionLeakSize(n_samples=100, n_noise=1000, n_selected=10, n_repeats=1)
    return SelectionLeakSize(n_samples=150, n_noise=5000, n_selected=10, n_repeats=4)


@dataclass(frozen=True)
class SelectionLeak:
    """Cross-validated accuracy of the same data under each protocol (mean over the repeats)."""

    leaky: float            # features selected on all the data, then cross-validated
    honest: float           # selection fitted inside each training fold (a Pipeline)
    scaled_on_all: float    # only the scaler fitted on all the data; selection inside the folds
    real_features_only: float  # no noise columns, no selection: what the data allow
    majority: float         # share of the most common class: the score of always guessing it

    @property
    def inflation(self) -> float:
        return self.leaky - self.honest


def _with_noise_columns(x: np.ndarray, n_noise: int, rng: np.random.Generator) -> np.ndarray:
    return np.hstack([x, rng.normal(size=(len(x), n_noise))])


def _cv_accuracy(model, features: np.ndarray, labels: np.ndarray, folds: StratifiedKFold) -> float:
    return float(np.mean(cross_val_score(model, features, labels, cv=folds)))


def selection_leak(x: np.ndarray, y: np.ndarray, seed: int,
                   size: SelectionLeakSize | None = None) -> SelectionLeak:
    """Feature selection before cross-validation (a leak) vs inside it, on real plus noise data.

    Each repeat draws ``size.n_samples`` rows, appends ``size.n_noise`` standard-normal columns
    that carry no information about ``y``, and scores a logistic regression on the
    ``size.n_selected`` features with the largest univariate F-score (``SelectKBest``) by
    stratified K-fold cross-validation:

    * leaky: the features are selected once, on all the rows, labels included, and only the
      model is cross-validated. Among thousands of noise columns some match the labels of these
      rows by chance, and the validation folds helped choose them;
    * honest: selection, scaling and model form one ``Pipeline`` that ``cross_val_score`` fits
      on each training fold, so the validation fold plays no part in choosing the features;
    * scaled on all: the standardization statistics come from all the rows (no labels), the
      rest is honest: the kind of leak that, on data drawn alike, moves the score very little.

    ``size`` defaults to the full size (``selection_leak_size(fast=False)``).
    """
    size = selection_leak_size(fast=False) if size is None else size
    rng = np.random.default_rng(seed)
    totals = np.zeros(5)
    with threadpool_limits(1):  # tiny fits: BLAS threads cost more than they save
        for _ in range(size.n_repeats):
            totals += _selection_repeat(x, y, rng, size)
    return SelectionLeak(*(totals / size.n_repeats))


def _selection_repeat(x: np.ndarray, y: np.ndarray, rng: np.random.Generator,
                      size: SelectionLeakSize) -> np.ndarray:
    """One data draw of ``selection_leak``: its five figures in the dataclass's order."""
    rows = rng.choice(len(x), size.n_samples, replace=False)
    x_real, labels = np.asarray(x[rows], dtype=np.float64), y[rows]
    x_all = _with_noise_columns(x_real, size.n_noise, rng)
    folds = StratifiedKFold(size.n_folds, shuffle=True, random_state=int(rng.integers(2**31)))
    chosen_on_all_rows = SelectKBest(f_classif, k=size.n_selected).fit(x_all, labels).transform(x_all)
    scaled_on_all_rows = StandardScaler().fit_transform(x_all)
    protocols = [
        (make_pipeline(StandardScaler(), LogisticRegression()), chosen_on_all_rows),
        (make_pipeline(SelectKBest(f_classif, k=size.n_selected), StandardScaler(),
                       LogisticRegression()), x_all),
        (make_pipeline(SelectKBest(f_classif, k=size.n_selected), LogisticRegression()),
         scaled_on_all_rows),
        (make_pipeline(StandardScaler(), LogisticRegression()), x_real),
    ]
    return np.array([*(_cv_accuracy(model, features, labels, folds) for model, features in protocols),
                     float(np.max(np.bincount(labels)) / len(labels))])


def plot_selection_leak(leaks: Sequence[SelectionLeak], ax: plt.Axes | None = None) -> plt.Axes:
    """Each protocol's cross-validated accuracy, one dot per seed, with the chance level."""
    from course.plots import plot_score_spread

    ax = plot_score_spread({"selected on all rows\n(leak)": [leak.leaky for leak in leaks],
                            "selected in each\ntraining fold (honest)": [leak.honest for leak in leaks],
                            "clinical features only\n(no noise)": [leak.real_features_only for leak in leaks]},
                           metric="cross-validated accuracy (5 folds)", ax=ax,
                           title="Same data, same model: where the features were chosen")
    ax.axhline(float(np.mean([leak.majority for leak in leaks])), color="grey", linestyle=":",
               label="always the majority class")
    ax.set_ylim(0.4, 1.0)
    ax.legend(loc="lower left")
    return ax


def preprocessing_leak_claim(seeds: Sequence[int], fast: bool):
    """Claim 14 over seeds: feature selection fitted on all the data (diabetes plus noise
    columns), and model choice on the test set (breast cancer).

    Holds when both effects exceed the spread over seeds (``course.spread.clearly_below``):
    every seed's honest cross-validated accuracy is below every seed's leaky one, and every
    seed's honest tuning inflation (reported minus fresh) is below every seed's leaky one.
    """
    from course.data import load_arrays

    size = selection_leak_size(fast)
    x_diabetes, y_diabetes = diabetes_above_median()
    selection = [selection_leak(x_diabetes, y_diabetes, seed, size) for seed in seeds]

    x_cancer, y_cancer = load_arrays("breast_cancer")
    n_repeats = 10 if fast else 60
    tuning = [tuning_on_test_leak(x_cancer.astype(np.float64), y_cancer, seed, n_repeats=n_repeats)
              for seed in seeds]

    leaky, honest = Spread.of(s.leaky for s in selection), Spread.of(s.honest for s in selection)
    selection_inflation = Spread.of(s.inflation for s in selection)
    scaled_on_all = Spread.of(s.scaled_on_all for s in selection)
    real_only = Spread.of(s.real_features_only for s in selection)
    tuned_reported = Spread.of(t.leaky_reported for t in tuning)
    tuned_fresh = Spread.of(t.leaky_fresh for t in tuning)
    tuned_inflation = Spread.of(t.leaky_inflation for t in tuning)
    honest_inflation = Spread.of(t.honest_inflation for t in tuning)
    validated_reported = Spread.of(t.honest_reported for t in tuning)
    validated_fresh = Spread.of(t.honest_fresh for t in tuning)
    held = clearly_below(honest, leaky) and clearly_below(honest_inflation, tuned_inflation)
    figures = {
        **leaky.figures("leaky"), **honest.figures("honest"),
        **selection_inflation.figures("selection_inflation"),
        **scaled_on_all.figures("scaled_on_all"), **real_only.figures("real_features_only"),
        "majority_mean": float(np.mean([s.majority for s in selection])),
        **tuned_reported.figures("tuned_on_test_reported"), **tuned_fresh.figures("tuned_on_test_fresh"),
        **tuned_inflation.figures("tuning_inflation"), **honest_inflation.figures("honest_tuning_inflation"),
        **validated_reported.figures("picked_on_validation_reported"),
        **validated_fresh.figures("picked_on_validation_fresh"),
        "noise_features": float(size.n_noise), "samples": float(size.n_samples),
        "repeats_per_seed": float(size.n_repeats), "tuning_repeats_per_seed": float(n_repeats),
    }
    def points(spread: Spread) -> str:
        return f"{100 * spread.mean:+.1f} points ({100 * spread.min:+.1f} to {100 * spread.max:+.1f})"

    summary = (f"{size.n_selected} of {10 + size.n_noise:,} features ({size.n_noise:,} pure noise) "
               f"selected on all {size.n_samples} patients, then {size.n_folds}-fold CV: {leaky}; "
               f"selected inside each training fold: {honest} (scaler alone fitted on all rows: "
               f"{scaled_on_all}; the 10 real features alone: {real_only}; majority class "
               f"{figures['majority_mean']:.3f}). Model picked on the test set: reported "
               f"{tuned_reported} vs fresh data {tuned_fresh}, inflation {points(tuned_inflation)}; "
               f"picked on validation: reported {validated_reported} vs fresh {validated_fresh}, "
               f"{points(honest_inflation)}")
    return held, figures, summary
