"""Checks of chapter 07's ``naive_baseline``: its score equals scikit-learn's
``DummyClassifier(strategy="most_frequent")`` scored with accuracy, or ``DummyRegressor(strategy="mean")``
scored with ``mean_absolute_error``, on given, random and real inputs; a wrong score is explained by
the usual mistake that reproduces every answer so far.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import call_student, expect_value_error, fail, require
from autograder.checks._common import as_number, same_contents


def _labels(y: Any) -> np.ndarray:
    return np.asarray(list(y) if not isinstance(y, np.ndarray) else y)


def _dummy_classifier(y_train: np.ndarray):
    """scikit-learn's ``DummyClassifier(strategy="most_frequent")`` fitted on ``y_train`` (it ignores
    its inputs): the checks' one computation of the contract's majority class."""
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy="most_frequent").fit(np.zeros((len(y_train), 1)), y_train)


def _most_frequent(y: np.ndarray) -> Any:
    """The label :func:`_dummy_classifier` predicts for ``y`` (on a tie, the smallest), for the
    mistakes that apply the right rule to the wrong labels or score it wrongly."""
    return _dummy_classifier(y).predict(np.zeros((1, 1)))[0]


def _tie_broken_otherwise(y: np.ndarray, rule: str) -> Any:
    """The most frequent label with a tie broken by a rule the contract does not use: ``"largest"``,
    or ``"first"`` (the label seen first). Mistakes only."""
    values, counts = np.unique(y, return_counts=True)
    tied = [v for v, c in zip(values, counts) if c == counts.max()]
    if rule == "largest":
        return tied[-1]
    order = {}
    for v in y.tolist():  # first seen, as collections.Counter.most_common does
        order.setdefault(v, len(order))
    return min(tied, key=lambda v: order[v.item() if hasattr(v, "item") else v])


_TIE_MESSAGE = ("breaks a tie between equally frequent classes by another rule (the label seen first, as "
                "Counter.most_common does, or the largest); on a tie the contract (and DummyClassifier) "
                "takes the smallest label (np.unique returns the labels sorted)")


def _accuracy(label: Any, y: np.ndarray) -> float:
    return float(np.mean(y == label))


# Each mistake is a function of (y_train, y_val) giving the wrong score, with its message.
_CLASSIFICATION_MISTAKES: list[tuple[Callable, str]] = [
    (lambda yt, yv: _accuracy(_most_frequent(yv), yv),
     "the majority class is taken from y_val; the baseline may only learn from y_train (counting "
     "validation labels is a leak)"),
    (lambda yt, yv: 1 - _accuracy(_most_frequent(yt), yv),
     "returns the error rate 1 - accuracy; return the accuracy (the share of validation labels equal "
     "to the predicted class)"),
    (lambda yt, yv: _accuracy(_most_frequent(yt), yt),
     "scores the prediction on y_train; the score is measured on y_val"),
    (lambda yt, yv: _accuracy(_tie_broken_otherwise(yt, "first"), yv), _TIE_MESSAGE),
    (lambda yt, yv: _accuracy(_tie_broken_otherwise(yt, "largest"), yv), _TIE_MESSAGE),
    (lambda yt, yv: 100 * _accuracy(_most_frequent(yt), yv),
     "returns a percentage; return the accuracy as a fraction in [0, 1]"),
    (lambda yt, yv: float(np.sum(yv == _most_frequent(yt))),
     "returns the number of correct predictions; return the accuracy, a fraction in [0, 1]"),
]

_REGRESSION_MISTAKES: list[tuple[Callable, str]] = [
    (lambda yt, yv: float(np.mean(np.abs(yv - np.median(yt)))),
     "uses the median instead of mean of y_train as its prediction; the baseline predicts the mean"),
    (lambda yt, yv: float(np.mean((yv - yt.mean()) ** 2)),
     "returns the mean squared error; the contract asks for the mean absolute error"),
    (lambda yt, yv: float(np.sqrt(np.mean((yv - yt.mean()) ** 2))),
     "returns the root mean squared error; the contract asks for the mean absolute error"),
    (lambda yt, yv: float(np.mean(np.abs(yv - yv.mean()))),
     "predicts the mean of y_val; the baseline may only learn from y_train (that is a leak)"),
    (lambda yt, yv: float(np.mean(np.abs(yt - yt.mean()))), "measures the error on y_train; measure it on y_val"),
    (lambda yt, yv: float(yt.mean()), "returns the prediction (the mean) instead of its mean absolute error on y_val"),
    (lambda yt, yv: float(np.mean(yv - yt.mean())), "forgets the absolute value: signed errors cancel out"),
    (lambda yt, yv: float(abs(yv.mean() - yt.mean())),
     "takes the absolute difference of the means; average the absolute errors |y - mean| instead"),
]


def _close_score(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9)


def check_naive_baseline(naive_baseline: Callable, y_train: Any, y_val: Any, problem_type: str,
                         history: list | None = None) -> None:
    """The student's score equals scikit-learn's dummy model on this input.

    ``history`` (a list the caller keeps across calls) collects earlier answers, so that a wrong
    answer is explained by the mistake consistent with all of them.
    """
    before = (copy.deepcopy(y_train), copy.deepcopy(y_val))
    result = as_number(call_student(naive_baseline, y_train, y_val, problem_type), "naive_baseline",
                     "the validation score (accuracy or mean absolute error)")
    require(same_contents(before[0], y_train) and same_contents(before[1], y_val),
            "naive_baseline modified y_train or y_val in place; work on copies.")
    from sklearn.dummy import DummyRegressor
    from sklearn.metrics import mean_absolute_error

    yt, yv = _labels(y_train), _labels(y_val)
    inputs_train, inputs_val = np.zeros((len(yt), 1)), np.zeros((len(yv), 1))  # the dummies ignore inputs
    if problem_type == "classification":
        expected = float(_dummy_classifier(yt).score(inputs_val, yv))
    elif problem_type == "regression":
        yt, yv = yt.astype(np.float64), yv.astype(np.float64)
        expected = float(mean_absolute_error(yv, DummyRegressor(strategy="mean").fit(inputs_train, yt)
                                             .predict(inputs_val)))
    else:
        raise ValueError(f"problem_type must be 'classification' or 'regression', got {problem_type!r}")
    history = history if history is not None else []
    history.append((yt, yv, problem_type, result))
    if _close_score(result, expected):
        return
    if problem_type == "classification":
        mistakes = _CLASSIFICATION_MISTAKES
        what = "DummyClassifier(strategy='most_frequent') fitted on y_train and scored on y_val"
    else:
        mistakes = _REGRESSION_MISTAKES
        what = "the mean absolute error on y_val of DummyRegressor(strategy='mean') fitted on y_train"
    same_kind = [h for h in history if h[2] == problem_type]
    consistent = [message for mistake, message in mistakes
                  if all(_close_score(r, mistake(t, v)) for t, v, _, r in same_kind)]
    if not consistent:
        consistent = [message for mistake, message in mistakes if _close_score(result, mistake(yt, yv))]
    if consistent:
        fail(f"naive_baseline ({problem_type}) {consistent[0]}.")
    shown_train = yt.tolist() if len(yt) <= 12 else f"{len(yt)} values"
    fail(f"naive_baseline(y_train={shown_train}, ..., {problem_type!r}) returned {result:.6g}; "
         f"{what} gives {expected:.6g}.")


def _random_classification(rng: np.random.Generator, as_list: bool, strings: bool,
                           tie: bool) -> tuple[Any, Any]:
    k = int(rng.integers(2, 6))
    names = np.array(["cat", "dog", "bird", "fish", "ant", "owl"])[rng.permutation(6)[:k]] if strings \
        else np.sort(rng.choice(np.arange(-3, 12), size=k, replace=False))
    if tie:  # two labels share the largest count; put the larger one first in the data
        top = sorted(names.tolist())[:2]
        count = int(rng.integers(3, 8))
        others = [v for v in names.tolist() if v not in top]
        rest = [others[int(i)] for i in rng.integers(0, len(others), size=int(rng.integers(0, count)))] \
            if others else []
        y_train = [top[1]] * count + [top[0]] * count + rest
        order = list(rng.permutation(len(y_train) - 1) + 1)
        y_train = [y_train[0]] + [y_train[i] for i in order]  # the larger label stays first
    else:
        p = rng.dirichlet(np.ones(k) * 0.8)
        y_train = names[rng.choice(k, size=int(rng.integers(5, 60)), p=p)].tolist()
    p_val = rng.dirichlet(np.ones(k))
    y_val = names[rng.choice(k, size=int(rng.integers(4, 40)), p=p_val)].tolist()
    if tie:  # make the two tied labels score differently on y_val
        top = sorted(names.tolist())[:2]
        while y_val.count(top[0]) == y_val.count(top[1]):
            y_val.append(top[0])
    if not strings:
        y_train, y_val = [int(v) for v in y_train], [int(v) for v in y_val]
    if as_list:
        return y_train, y_val
    return np.asarray(y_train), np.asarray(y_val)


def _random_regression(rng: np.random.Generator, as_list: bool) -> tuple[Any, Any]:
    # Skewed targets, so that the median, the mean of y_val and the mean of y_train all differ.
    y_train = rng.exponential(scale=float(rng.uniform(1, 50)), size=int(rng.integers(5, 80)))
    y_val = rng.exponential(scale=float(rng.uniform(1, 50)), size=int(rng.integers(4, 40))) + rng.normal()
    dtype = np.float32 if rng.random() < 0.5 else np.float64
    y_train, y_val = y_train.astype(dtype), y_val.astype(dtype)
    if as_list:
        return y_train.tolist(), y_val.tolist()
    return y_train, y_val


def check_naive_baseline_on_random_inputs(naive_baseline: Callable, seeds: Sequence[int] = range(12)) -> None:
    """Random classification (ints and strings, arrays and lists) and regression problems."""
    history: list = []
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        rng = np.random.default_rng(7000 + seed)
        y_train, y_val = _random_classification(rng, as_list=n % 2 == 1, strings=n % 3 == 2, tie=False)
        check_naive_baseline(naive_baseline, y_train, y_val, "classification", history)
        y_train, y_val = _random_regression(rng, as_list=n % 4 == 3)
        check_naive_baseline(naive_baseline, y_train, y_val, "regression", history)


def check_naive_baseline_edge_cases(naive_baseline: Callable) -> None:
    """Ties (the smallest label wins), string labels, lists, a class absent from y_val, errors."""
    history: list = []
    check_naive_baseline(naive_baseline, [2, 2, 2, 0], [0, 0, 1], "classification", history)  # scores 0.0
    check_naive_baseline(naive_baseline, [5, 5, 5], [5, 5], "classification", history)
    check_naive_baseline(naive_baseline, [1.0, 2.0, 10.0], [0.0, 4.0], "regression", history)
    check_naive_baseline(naive_baseline, [3, 3, 3], [3], "regression", history)  # integer targets
    check_naive_baseline(naive_baseline, ["yes", "no", "yes", "no"], ["yes", "yes", "no"], "classification",
                         history)  # a tie: "no" < "yes"
    for seed in range(6):
        rng = np.random.default_rng(7100 + seed)
        y_train, y_val = _random_classification(rng, as_list=seed % 2 == 0, strings=seed % 3 == 0, tie=True)
        check_naive_baseline(naive_baseline, y_train, y_val, "classification", history)
    for bad in ("clustering", "ranking", "", "multilabel"):
        expect_value_error(naive_baseline, [0, 1, 1], [1, 0], bad,
                           why=f"problem_type {bad!r} is neither 'classification' nor 'regression'")


def check_naive_baseline_on_datasets(naive_baseline: Callable, seed: int = 0) -> None:
    """The course's breast-cancer (classification) and diabetes (regression) splits."""
    from course.data import load_breast_cancer_split, load_diabetes_split

    cancer = load_breast_cancer_split(seed)
    check_naive_baseline(naive_baseline, cancer.y_train, cancer.y_val, "classification")
    diabetes = load_diabetes_split(seed)
    check_naive_baseline(naive_baseline, diabetes.y_train, diabetes.y_val, "regression")
