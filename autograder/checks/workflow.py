"""Checks for chapter 07 (the universal workflow): the naive baseline, early stopping, batch
normalization and the initializers' scales.

The oracles are the real libraries, never a particular random stream:

- ``naive_baseline``: scikit-learn's ``DummyClassifier(strategy="most_frequent")`` scored with
  accuracy, and ``DummyRegressor(strategy="mean")`` scored with ``mean_absolute_error``;
- ``early_stopping_epoch``: the real ``keras.callbacks.EarlyStopping`` driven directly with
  scripted validation losses (``on_train_begin`` then ``on_epoch_end`` until the model's
  ``stop_training`` flag is set), and once inside a real ``model.fit``;
- ``batchnorm_forward``: ``keras.layers.BatchNormalization`` with gamma and beta set, called
  with ``training=True`` (float32 tolerance), plus the normalization's statistical properties;
- ``batchnorm_backward``: central differences of ``sum(dout * BN(x))`` in float64, and the
  gradients TensorFlow computes for that layer (``tf.GradientTape``, float32 tolerance);
- ``he_normal_std`` / ``glorot_uniform_limit``: the formulas, and the sample standard
  deviation / largest magnitude of large ``HeNormal`` / ``GlorotUniform`` kernels.

When a result is wrong, the usual mistakes are computed on the same inputs and the one that
matches names the misconception in the message. The libraries are called inside the checks, which
return nothing: no function here gives a graded function's answer (a student's code can import
this module), and the mistakes' simulations only ever compute a mistake.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import CheckFailed, call_student, expect_value_error, fail, require, train_in_order  # noqa: F401,E501
from autograder.checks._common import as_number, quiet, same_contents
from course.runtime import import_keras


# ---------------------------------------------------------------------------- helpers
def _deepcopy(value: Any) -> Any:
    return copy.deepcopy(value)


# ============================================================================ naive_baseline
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
    before = (_deepcopy(y_train), _deepcopy(y_val))
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


# ============================================================================ early stopping
@functools.cache
def _probe_model():
    keras = import_keras()
    with quiet():
        return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])


_MISTAKE_OPTIONS = {"late": (1, -1), "tie_improves": (True,), "ignore_delta": (True,), "previous": (True,),
                    "stop_on_improvement": (True,), "delta_sign": (-1,),
                    "best_rule": ("argmin_all", "argmin_until_stop", "last_argmin_until_stop", "stop_minus_patience")}


def _simulate(losses: list[float], patience: int, min_delta: float, mistake: dict) -> tuple[int, int]:
    """The early-stopping rule with one deliberate ``mistake`` (one option of :data:`_MISTAKE_OPTIONS`
    with one of its values), to recognize a student's. It never computes the right rule."""
    if len(mistake) != 1 or next(iter(mistake.values())) not in _MISTAKE_OPTIONS.get(next(iter(mistake)), ()):
        raise ValueError(f"not one of the known early-stopping mistakes: {mistake!r}")
    late, delta_sign = mistake.get("late", 0), mistake.get("delta_sign", 1)
    tie_improves, previous = mistake.get("tie_improves", False), mistake.get("previous", False)
    stop_on_improvement, best_rule = mistake.get("stop_on_improvement", False), mistake.get("best_rule", "")
    delta = 0.0 if mistake.get("ignore_delta") else delta_sign * min_delta
    best, best_epoch, wait, stop = None, 1, 0, len(losses)
    prev = None
    for epoch, loss in enumerate(losses, start=1):
        wait += 1
        reference = prev if previous else best
        improved = reference is None or (loss <= reference - delta if tie_improves else loss < reference - delta)
        prev = loss
        if improved:
            best, best_epoch, wait = loss, epoch, 0
            if not (stop_on_improvement and wait >= patience and epoch > 1):
                continue
        if wait >= patience + late and epoch > 1:
            stop = epoch
            break
    if best_rule == "argmin_all":
        best_epoch = int(np.argmin(losses)) + 1
    elif best_rule == "argmin_until_stop":
        best_epoch = int(np.argmin(losses[:stop])) + 1
    elif best_rule == "last_argmin_until_stop":
        part = np.asarray(losses[:stop])
        best_epoch = int(np.flatnonzero(part == part.min())[-1]) + 1
    elif best_rule == "stop_minus_patience":
        best_epoch = max(stop - patience, 1)
    return stop, best_epoch


_ES_MISTAKES: list[tuple[dict, str]] = [
    (dict(late=1), "stops one epoch late: patience counted from the epoch after the last improvement "
                   "(stop when the count of epochs without improvement reaches patience, not exceeds it)"),
    (dict(late=-1), "stops one epoch early: training stops when the count of epochs since the last "
                    "improvement reaches patience, not patience - 1"),
    (dict(best_rule="argmin_all"), "best epoch is argmin of all losses, not the improvement rule with "
                                   "min_delta; epochs after the stop were never trained, and a loss that "
                                   "beats the best by less than min_delta is not an improvement"),
    (dict(best_rule="argmin_until_stop"), "best epoch is the argmin of the losses, not the improvement "
                                          "rule with min_delta: a loss lower by less than min_delta does not "
                                          "replace the best weights"),
    (dict(best_rule="last_argmin_until_stop"), "best epoch is the last epoch with the lowest loss; a tie "
                                               "is not an improvement, so the first one stays best"),
    (dict(best_rule="stop_minus_patience"), "best epoch is computed as stop_epoch - patience; it is the "
                                            "last improving epoch (when training never stops, or stops "
                                            "after epoch 1 with patience 0, the two differ)"),
    (dict(tie_improves=True), "a loss equal to the best minus min_delta counts as an improvement; "
                              "it must be strictly below (Keras uses <)"),
    (dict(ignore_delta=True), "ignores min_delta: an epoch improves only when its loss is below the "
                              "best loss so far minus min_delta"),
    (dict(delta_sign=-1), "adds min_delta to the best loss (loss < best + min_delta); an improvement must "
                          "beat the best by more than min_delta: loss < best - min_delta"),
    (dict(previous=True), "compares each loss with the previous epoch's loss; improvement is measured "
                          "against the best loss so far"),
    (dict(stop_on_improvement=True), "stops on an improving epoch; with patience 0 an improving epoch "
                                     "still resets the count and never stops training"),
]


def _as_pair(value: Any, name: str) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(f"{name} should return a pair (stop_epoch, best_epoch), got {value!r}.")
    pair = []
    for item, what in zip(value, ("stop_epoch", "best_epoch")):
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, np.integer, float, np.floating)):
            fail(f"{name}: {what} should be an integer epoch, got {item!r}.")
        if float(item) != int(item):
            fail(f"{name}: {what} should be a whole epoch number, got {item!r}.")
        pair.append(int(item))
    return pair[0], pair[1]


def _shown(losses: Sequence[float]) -> str:
    values = [float(v) for v in losses]
    text = "[" + ", ".join(f"{v:g}" for v in values[:14]) + (", ...]" if len(values) > 14 else "]")
    return text


def _consistent_es_mistakes(answers: list) -> list[str]:
    """Messages of the mistaken rules that reproduce every ``(losses, patience, min_delta, answer)``."""
    return [message for options, message in _ES_MISTAKES
            if all(_simulate([float(v) for v in ls], p, d, options) == g for ls, p, d, g in answers)]


def _probe(early_stopping_epoch: Callable) -> list:
    """The student's answers on the adversarial cases (to tell mistakes apart); crashes are skipped."""
    answers = []
    for losses, patience, min_delta in ADVERSARIAL_CASES:
        try:
            value = early_stopping_epoch(list(losses), patience, min_delta)
            answers.append((losses, patience, min_delta, (int(value[0]), int(value[1]))))
        except Exception:  # noqa: BLE001, S112 - a probe that crashes only gives no answer
            continue
    return answers


def check_early_stopping_cases(early_stopping_epoch: Callable,
                               cases: Sequence[tuple[Sequence[float], int, float]]) -> None:
    """Compare the student with the real Keras callback on every case ``(losses, patience, min_delta)``.

    The callback is driven directly with each case's losses (``on_train_begin``, then
    ``on_epoch_end`` until it sets the model's ``stop_training``): its stop epoch is
    ``stopped_epoch + 1`` (or the number of losses when it never stops), its restored epoch
    ``best_epoch + 1``. On the first disagreement, the mistaken rules that reproduce every answer
    so far name the misconception.
    """
    keras = import_keras()
    model = _probe_model()
    answers = []
    for losses, patience, min_delta in cases:
        before = _deepcopy(losses)
        got = _as_pair(call_student(early_stopping_epoch, losses, patience, min_delta), "early_stopping_epoch")
        require(same_contents(before, losses), "early_stopping_epoch modified val_losses in place; work on a copy.")
        callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta,
                                                 restore_best_weights=True)
        callback.set_model(model)
        model.stop_training = False
        with quiet():
            callback.on_train_begin()
            for epoch, loss in enumerate(losses):
                callback.on_epoch_end(epoch, {"val_loss": float(loss)})
                if model.stop_training:
                    break
        stopped, model.stop_training = bool(model.stop_training), False
        expected = (int(callback.stopped_epoch) + 1 if stopped else len(losses), int(callback.best_epoch) + 1)
        answers.append((losses, patience, min_delta, got))
        if got == expected:
            continue
        fail(f"early_stopping_epoch({_shown(losses)}, patience={patience}, min_delta={min_delta:g}) returned "
             f"{got}; keras.callbacks.EarlyStopping stops after epoch {expected[0]} and restores the weights "
             f"of epoch {expected[1]}.{_es_hint(early_stopping_epoch, answers, expected)}")


def _es_hint(early_stopping_epoch: Callable, answers: list, expected: tuple[int, int]) -> str:
    """' Likely cause: ...' for the last (wrong) answer, or '' when no known mistake explains it."""
    losses, patience, min_delta, got = answers[-1]
    n = len(losses)
    if got == (expected[0] - 1, expected[1] - 1):
        return (" Likely cause: 0-based epochs; epochs count from 1 (the first epoch is 1), as Keras's "
                "messages do ('Epoch 5: early stopping').")
    if got == (expected[1], expected[0]):
        return " Likely cause: the pair is reversed; return (stop_epoch, best_epoch) in that order."
    if got[0] == 1 and n > 1:
        return (" Likely cause: stops after epoch 1; the first epoch always improves, so training never "
                "stops there (not even with patience 0).")
    if got[0] == n and expected[0] < n and not _consistent_es_mistakes(answers):
        return (f" Likely cause: stop_epoch is the number of epochs ({n}), but EarlyStopping stops as soon as "
                "the count of epochs without improvement reaches patience.")
    matching = _consistent_es_mistakes(answers)
    if len(matching) > 1:  # ambiguous: ask the student's function about the adversarial cases too
        matching = _consistent_es_mistakes(answers + _probe(early_stopping_epoch)) or matching
    if not matching:
        matching = _consistent_es_mistakes([answers[-1]])
    return f" Likely cause: {matching[0]}." if matching else ""


def _grid_losses(rng: np.random.Generator, n: int, kind: str) -> list[float]:
    """Losses on a grid of 1/256 (exact in float32 and float64, so Keras's float32 comparisons
    and any float64 implementation agree even for ties and min_delta edges)."""
    if kind == "u_shape":
        low = int(rng.integers(1, n + 1))
        steps = np.concatenate([-rng.integers(0, 20, size=low), rng.integers(-6, 20, size=n - low)])
        values = 600 + np.cumsum(steps)
    elif kind == "plateau":  # a staircase: long runs of exact ties, then maybe a rising tail
        values = 500 - np.cumsum(rng.choice([0, 0, 0, 0, 1, 2, 8, 16, 40], size=n))
        start = int(rng.integers(0, n + 1))
        values[start:] += np.cumsum(rng.choice([0, 0, 1, 4], size=n - start))
    elif kind == "noisy":
        values = 512 + np.cumsum(rng.integers(-12, 10, size=n))
    else:  # "few_levels": many exact ties
        values = rng.choice([200, 210, 216, 240, 256], size=n)
    values = np.clip(values, 1, None)
    return [float(v) / 256 for v in values]


def random_early_stopping_cases(seed: int, count: int = 40) -> list[tuple[list[float], int, float]]:
    """Random validation-loss sequences with patience 0-6 and min_delta 0 or a grid value."""
    rng = np.random.default_rng(8000 + seed)
    cases = []
    kinds = ("u_shape", "noisy", "plateau", "few_levels")
    for i in range(count):
        n = int(rng.integers(1, 30))
        kind = kinds[i % len(kinds)]
        losses = _grid_losses(rng, n, kind)
        if i % 5 == 4:  # some sequences as float32-exact random values, not on the grid
            losses = [float(np.float32(v)) for v in rng.uniform(0.05, 2.0, size=n)]
            min_delta = 0.0
        else:
            min_delta = float(rng.choice([0, 0, 1, 2, 4, 8])) / 256
        patience = int(rng.integers(0, 7))
        as_array = i % 3 == 0
        cases.append((np.asarray(losses) if as_array else losses, patience, min_delta))
    return cases


def check_early_stopping_on_random_inputs(early_stopping_epoch: Callable, seeds: Sequence[int] = range(3)) -> None:
    for seed in seeds:
        check_early_stopping_cases(early_stopping_epoch, random_early_stopping_cases(seed))


ADVERSARIAL_CASES: list[tuple[list[float], int, float]] = [
    ([0.5], 3, 0.0),                                   # one epoch: (1, 1)
    ([0.5], 0, 0.0),
    ([1.0, 0.75, 0.5, 0.25], 1, 0.0),                  # always improving: never stops
    ([1.0, 0.75, 0.5, 0.25], 0, 0.0),                  # patience 0 but improving: never stops
    ([1.0, 1.0, 1.0, 1.0, 1.0], 2, 0.0),               # plateau: a tie is no improvement
    ([1.0, 1.0, 1.0], 0, 0.0),                         # patience 0: stop after epoch 2
    ([1.0, 1.0], 1, 0.0),
    ([1.0, 2.0, 3.0, 0.5, 0.25], 2, 0.0),              # the improvement comes one epoch too late
    ([1.0, 2.0, 0.5, 0.25], 2, 0.0),                   # ... and just in time
    ([1.0, 2.0, 3.0, 4.0, 0.125], 3, 0.0),             # the lowest loss is after the stop
    ([1.0, 0.75, 0.5], 2, 0.25),                       # improvement exactly min_delta: not enough
    ([1.0, 0.75, 0.5, 0.5, 0.5], 2, 0.25),
    ([1.0, 0.9375, 0.875, 0.8125, 0.75, 0.6875, 0.625], 3, 0.25),  # small steps below min_delta
    ([1.0, 0.9375, 0.875, 0.8125, 0.75, 0.6875, 0.625], 10, 0.125),
    ([2.0, 1.5, 1.75, 1.625, 1.5, 1.5625, 1.4375, 1.5], 2, 0.0),   # compare with best, not previous
    ([2.0, 1.5, 1.75, 1.625, 1.5, 1.5625, 1.4375, 1.5], 4, 0.0),
    ([1.0, 0.5, 0.5, 0.5, 0.25, 0.5, 0.5, 0.5, 0.5], 3, 0.0),      # ties after a drop
    ([1.0, 0.5, 0.5, 0.5, 0.25, 0.5, 0.5, 0.5, 0.5], 0, 0.0),
    ([3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0, 0.0),
    ([3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 20, 0.0),           # patience longer than training
    ([1.0, 0.5, 0.25, 0.125], 2, 0.5),                 # min_delta larger than every step after epoch 2
    ([0.25, 0.5, 0.75, 1.0, 1.25], 4, 0.0),            # stops at the last epoch exactly
]


def check_early_stopping_edge_cases(early_stopping_epoch: Callable) -> None:
    """Plateaus, ties, min_delta edges, patience 0, never stopping, and the ValueErrors."""
    check_early_stopping_cases(early_stopping_epoch, ADVERSARIAL_CASES)
    check_early_stopping_cases(early_stopping_epoch, [(np.array([1.0, 1.0, 0.5, 0.5, 0.5]), 1, 0.0),
                                                      ((1.0, 0.75, 0.75, 0.75), 2, 0.0)])
    expect_value_error(early_stopping_epoch, [], 2, 0.0, why="val_losses is empty")
    expect_value_error(early_stopping_epoch, np.array([]), 0, 0.0, why="val_losses is empty")
    expect_value_error(early_stopping_epoch, [1.0, 0.5], -1, 0.0, why="patience is negative")


def check_early_stopping_default_min_delta(early_stopping_epoch: Callable) -> None:
    """``min_delta`` defaults to 0.0."""
    losses = [1.0, 0.75, 0.75, 0.5, 0.625, 0.625, 0.625]

    def default_min_delta(val_losses, patience, min_delta):  # min_delta is 0.0: left at its default
        return early_stopping_epoch(val_losses, patience)

    default_min_delta.__name__ = "early_stopping_epoch"
    try:
        check_early_stopping_cases(default_min_delta, [(losses, 2, 0.0)])
    except CheckFailed as error:
        fail(f"With min_delta left at its default, early_stopping_epoch({losses}, 2) disagrees with Keras with "
             f"min_delta=0 (the default of min_delta is 0.0): {error}")


def check_early_stopping_agrees_with_fit(early_stopping_epoch: Callable, patience: int = 2, seed: int = 0,
                                         max_epochs: int = 16) -> None:
    """Train a tiny overfitting model for ``max_epochs`` epochs and record its real validation
    curve; the real ``EarlyStopping`` on that curve is the answer.

    Each epoch runs ``fit``'s compiled train step batch by batch (:func:`train_in_order`) and
    then measures the validation loss, as ``fit(validation_data=...)`` does; the callback's
    first request to stop and the epoch it would restore come from
    :func:`check_early_stopping_cases`. The student's function gets the whole curve and must
    return both (or ``max_epochs``).
    """
    keras = import_keras()
    rng = np.random.default_rng(9000 + seed)
    x = rng.normal(size=(48, 12)).astype(np.float32)
    y = (x[:, 0] + 0.8 * rng.normal(size=48) > 0).astype(np.float32)
    losses = []
    with quiet():
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((12,)), keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        # eager: on 24 samples, tracing a graph costs more than the steps it would speed up
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", run_eagerly=True)
        for _ in range(max_epochs):
            train_in_order(model, x[:24], y[:24], epochs=1, batch_size=8)
            losses.append(float(np.ravel(model.test_on_batch(x[24:], y[24:]))[0]))
    try:
        check_early_stopping_cases(early_stopping_epoch, [(losses, patience, 0.0)])
    except CheckFailed as error:
        fail(f"Training recorded the validation losses {_shown([round(v, 4) for v in losses])}; "
             f"EarlyStopping(patience={patience}, restore_best_weights=True) on them: {error}")


# ============================================================================ batch normalization
def _bn_mistakes(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> list[tuple[np.ndarray, str]]:
    x = np.asarray(x, dtype=np.float64)
    g, b = np.asarray(gamma, dtype=np.float64), np.asarray(beta, dtype=np.float64)
    mean, var = x.mean(axis=0), x.var(axis=0)
    centered = x - mean
    out = [
        (g * centered / np.sqrt(x.var(axis=0, ddof=1) + eps) + b,
         "variance with ddof=1 (the sample variance); batch normalization uses the biased batch "
         "variance, ddof=0 (np.var's default)"),
        (g * centered / (np.sqrt(var) + eps) + b,
         "eps outside the sqrt: divide by sqrt(var + eps), not sqrt(var) + eps"),
        (g * centered / np.sqrt(var + eps ** 2) + b, "eps squared inside the sqrt; it is sqrt(var + eps)"),
        (g * centered / (var + eps) + b, "divides by var + eps; divide by its square root, the standard deviation"),
        (g * centered / np.sqrt(np.sqrt(var) + eps) + b,
         "uses the standard deviation where the variance belongs: sqrt(var + eps) with var the mean "
         "squared deviation"),
        (b * centered / np.sqrt(var + eps) + g, "gamma and beta are swapped: gamma scales, beta shifts"),
        (centered / np.sqrt(var + eps), "forgets the scale gamma and the shift beta"),
        (centered / np.sqrt(var + eps) * g, "forgets the shift beta"),
        (centered / np.sqrt(var + eps) + b, "forgets the scale gamma"),
        (g * (x - x.mean()) / np.sqrt(x.var() + eps) + b, "uses one mean and variance over the whole batch "
                                                           "and all features; compute them per feature (axis=0)"),
        (g * centered * np.sqrt(var + eps) + b, "multiplies by sqrt(var + eps); divide by it"),
        (g * (x - g) / np.sqrt(var + eps) + b, "subtracts gamma instead of the batch mean"),
        (g * centered / np.sqrt(var) + b if np.all(var > 0) else None, "forgets eps (it keeps the division "
                                                                        "safe when a feature's variance is tiny)"),
    ]
    m1, v1 = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    out.append((g * (x - m1) / np.sqrt(v1 + eps) + b, "normalizes each sample over its features (axis=1, "
                                                      "that is layer normalization); batch normalization "
                                                      "normalizes each feature over the batch (axis=0)"))
    return [(value, message) for value, message in out if value is not None]


def check_batchnorm_forward(batchnorm_forward: Callable, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                            eps: float | None = 1e-3) -> None:
    """The student's output equals Keras's BatchNormalization(epsilon=eps) in training mode.

    ``eps=None`` calls the student's function without ``eps`` (its default must be 1e-3).
    """
    before = (np.array(x, copy=True), np.array(gamma, copy=True), np.array(beta, copy=True))
    args = (x, gamma, beta) if eps is None else (x, gamma, beta, eps)
    raw = call_student(batchnorm_forward, *args)
    default_eps = eps is None
    eps = 1e-3 if eps is None else eps
    require(same_contents(before[0], x) and same_contents(before[1], gamma) and same_contents(before[2], beta),
            "batchnorm_forward modified x, gamma or beta in place; return a new array.")
    if isinstance(raw, tuple):
        fail("batchnorm_forward returned a tuple (perhaps (out, cache), as in a backward-pass exercise); "
             "the contract asks for the normalized output array only.")
    try:
        result = np.asarray(raw, dtype=np.float64)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"batchnorm_forward should return an array, got {type(raw).__name__}.")
    if result.shape != np.shape(x):
        fail(f"batchnorm_forward returned shape {result.shape}; the output has x's shape {np.shape(x)} "
             "(batch, features).")
    keras = import_keras()
    with quiet():  # Keras's layer with gamma and beta set, in training mode (float32)
        layer = keras.layers.BatchNormalization(epsilon=eps)
        layer.build((None, np.shape(x)[1]))
        layer.gamma.assign(np.asarray(gamma, dtype=np.float32))
        layer.beta.assign(np.asarray(beta, dtype=np.float32))
        expected = np.asarray(layer(keras.ops.convert_to_tensor(np.asarray(x, dtype=np.float32)), training=True),
                              dtype=np.float64)
    scale = 1.0 + np.abs(expected)  # float32 precision, relative to the output's size
    if np.max(np.abs(result - expected) / scale) <= 5e-4:
        return
    if default_eps:
        x64, g, b = (np.asarray(v, dtype=np.float64) for v in (x, gamma, beta))
        for other in (1e-5, 1e-8, 0.0, 1e-2):  # the normalization with another eps: a wrong default
            with np.errstate(all="ignore"):
                wrong = g * (x64 - x64.mean(axis=0)) / np.sqrt(x64.var(axis=0) + other) + b
            if np.allclose(result, wrong, rtol=1e-4, atol=1e-6):
                fail(f"batchnorm_forward's default eps is {other:g}; the contract (and Keras's "
                     "BatchNormalization) use eps=1e-3 when it is not given.")
    for value, message in _bn_mistakes(x, gamma, beta, eps):
        if value.shape == result.shape and np.max(np.abs(result - value) / (1.0 + np.abs(value))) <= 5e-4:
            fail(f"batchnorm_forward: {message}.")
    worst = np.unravel_index(np.argmax(np.abs(result - expected)), result.shape)
    fail(f"batchnorm_forward differs from keras.layers.BatchNormalization(epsilon={eps:g}) called with "
         f"training=True (x of shape {np.shape(x)}): at index {tuple(int(i) for i in worst)} it returned "
         f"{result[worst]:.6g}, Keras gives {expected[worst]:.6g}. Expected "
         "gamma * (x - mean) / sqrt(var + eps) + beta with per-feature batch mean and variance (axis 0, ddof=0).")


def batchnorm_inputs(seed: int, batch: int | None = None, features: int | None = None,
                     dtype: str = "float32") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch whose features have very different scales (some tiny, so eps matters) and offsets,
    with random gamma (some negative) and beta."""
    rng = np.random.default_rng(6000 + seed)
    batch = batch or int(rng.integers(2, 40))
    features = features or int(rng.integers(1, 9))
    scales = np.exp(rng.uniform(np.log(0.01), np.log(5.0), size=features))
    offsets = rng.normal(0, 3, size=features) * scales
    x = (rng.normal(size=(batch, features)) * scales + offsets).astype(dtype)
    gamma = rng.normal(1.0, 0.8, size=features).astype(dtype)
    beta = rng.normal(0.0, 1.0, size=features).astype(dtype)
    return x, gamma, beta


def check_batchnorm_on_random_inputs(batchnorm_forward: Callable, seeds: Sequence[int] = range(10)) -> None:
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        x, gamma, beta = batchnorm_inputs(seed, dtype="float32" if n % 2 else "float64")
        eps = (1e-3, 1e-5, 0.1, 1e-2)[n % 4]
        check_batchnorm_forward(batchnorm_forward, x, gamma, beta, eps)
    x, gamma, beta = batchnorm_inputs(99, batch=6, features=4)
    check_batchnorm_forward(batchnorm_forward, x, gamma, beta, None)  # Keras's default eps 1e-3


def check_batchnorm_statistics(batchnorm_forward: Callable, seed: int = 0) -> None:
    """Per-feature output mean is beta and standard deviation is |gamma| (up to eps); a constant
    feature comes out as beta; a batch of two is normalized to +-gamma around beta."""
    rng = np.random.default_rng(6500 + seed)
    features = 5
    x = (rng.normal(size=(256, features)) * rng.uniform(1, 6, size=features)
         + rng.uniform(-10, 10, size=features))
    gamma = rng.uniform(0.5, 3.0, size=features)
    beta = rng.uniform(-2.0, 2.0, size=features)
    raw = call_student(batchnorm_forward, x, gamma, beta, 1e-5)
    if isinstance(raw, tuple):
        fail("batchnorm_forward returned a tuple; the contract asks for the output array only.")
    out = np.asarray(raw, dtype=np.float64)
    require(out.shape == x.shape, f"batchnorm_forward returned shape {out.shape}, expected {x.shape}.")
    mean, std = out.mean(axis=0), out.std(axis=0)
    require(np.allclose(mean, beta, atol=1e-6),
            f"each output feature should have batch mean beta={np.round(beta, 4).tolist()}, got "
            f"{np.round(mean, 4).tolist()}: subtract the per-feature batch mean (axis 0), then add beta.")
    require(np.allclose(std, gamma, rtol=1e-4),
            f"each output feature should have batch standard deviation gamma={np.round(gamma, 4).tolist()} "
            f"(eps is tiny here), got {np.round(std, 4).tolist()}: divide by sqrt(var + eps) with the biased "
            "(ddof=0) per-feature variance, then multiply by gamma.")
    constant = np.column_stack([np.full(8, 3.5), np.arange(8.0)])
    check_batchnorm_forward(batchnorm_forward, constant, np.array([2.0, 1.0]), np.array([-1.0, 0.5]), 1e-3)
    pair = np.array([[1.0, 10.0], [3.0, -10.0]])
    check_batchnorm_forward(batchnorm_forward, pair, np.array([1.0, 0.5]), np.array([0.0, 1.0]), 1e-3)


# ============================================================================ batch normalization, backward
# The expected gradients come from the loss L = sum(dout * BN(x)) differentiated two ways inside the
# checks: central differences in float64, and Keras's own gradients (tf.GradientTape on a real
# BatchNormalization layer called with training=True). When the student's gradients differ, the
# usual mistakes are computed on the same inputs, each one wrong on its own, and the one that matches
# names the misconception.
_BN_BACKWARD_RTOL = 1e-6  # float64 against central differences (their own error is about 1e-10)
_BN_KERAS_RTOL = 1e-3  # against Keras's float32 gradients


def _bn_parts(x: np.ndarray, eps: float, ddof: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The centered batch and the per-feature sqrt(var + eps) (the forward pass's intermediate values)."""
    centered = x - x.mean(axis=0)
    return centered, np.sqrt(np.sum(centered ** 2, axis=0) / (len(x) - ddof) + eps)


def _bn_backward_mistakes(dout: np.ndarray, x: np.ndarray, gamma: np.ndarray,
                          eps: float) -> dict[str, list[tuple[np.ndarray, str]]]:
    """For each of dx, dgamma and dbeta, the usual wrong gradients and what they get wrong."""
    dout, x, gamma = (np.asarray(v, dtype=np.float64) for v in (dout, x, gamma))
    m = len(x)
    centered, std = _bn_parts(x, eps)
    x_hat, d_hat = centered / std, dout * gamma
    projection = np.mean(d_hat * x_hat, axis=0)  # the variance path's weight on x_hat
    dx = [
        ((d_hat - projection * x_hat) / std,
         "misses the mean term: it treats the batch mean mu as a constant, but mu depends on every "
         "sample, and every sample's output depends on mu (a path that removes the gradient's mean "
         "over the batch, so each feature's dx sums to zero)"),
        ((d_hat - d_hat.mean(axis=0)) / std,
         "misses the variance term: it treats the batch variance as a constant, but it depends on every "
         "sample, and every sample's output is divided by its square root"),
        (d_hat / std,
         "treats the batch mean and variance as constants (dx = dout * gamma / sqrt(var + eps)): both "
         "depend on every sample of the batch, which adds a mean term and a variance term"),
        ((dout - dout.mean(axis=0) - np.mean(dout * x_hat, axis=0) * x_hat) / std,
         "forgets gamma in dx: the normalized value x_hat reaches the output multiplied by gamma, so the "
         "gradient reaching x_hat is dout * gamma"),
        ((d_hat - d_hat.mean(axis=0) - projection * x_hat) * std,
         "multiplies by sqrt(var + eps) where it should divide by it"),
        ((d_hat - d_hat.mean(axis=0) - 2 * projection * x_hat) / std,
         "counts the variance term twice (the derivative of (x - mu)^2 brings a 2, and the power -1/2 of "
         "the variance brings a 1/2: they cancel)"),
        ((d_hat - d_hat.mean(axis=0) - 0.5 * projection * x_hat) / std,
         "halves the variance term (the derivative of (x - mu)^2 is 2 (x - mu); the 2 cancels the 1/2 "
         "of the square root's derivative)"),
    ]
    mean_axis1 = (d_hat - d_hat.mean(axis=1, keepdims=True) - np.mean(d_hat * x_hat, axis=1, keepdims=True)
                  * x_hat) / std
    dx.append((mean_axis1, "takes the means of the mean and variance terms over axis 1 (each sample's "
                           "features); the batch statistics, and their terms, are over the batch, axis 0"))
    variance = np.mean(centered ** 2, axis=0)
    outside = np.sqrt(variance) + eps  # the forward pass with eps outside the square root
    if np.all(variance > 0):
        x_out = centered / outside
        dx.append(((d_hat - d_hat.mean(axis=0) - np.mean(d_hat * x_out, axis=0) * centered / np.sqrt(variance))
                   / outside,
                   "adds eps outside the square root (sqrt(var) + eps); Keras's BatchNormalization divides by "
                   "sqrt(var + eps)"))
    if m > 1:
        centered1, std1 = _bn_parts(x, eps, ddof=1)
        x_hat1 = centered1 / std1
        dx.append(((d_hat - d_hat.mean(axis=0) - m / (m - 1) * np.mean(d_hat * x_hat1, axis=0) * x_hat1) / std1,
                   "uses the unbiased variance (divides by m - 1, ddof=1); batch normalization, Keras's "
                   "included, uses the biased batch variance (divides by m, ddof=0) in training mode"))
    dgamma = [
        (np.sum(dout * x, axis=0), "sums dout * x; gamma multiplies the normalized x_hat, so dgamma sums "
                                   "dout * x_hat over the batch"),
        (np.mean(dout * x_hat, axis=0), "averages over the batch; the loss sums every sample's "
                                        "contribution, so dgamma is a sum over axis 0"),
        (np.sum(dout, axis=0), "returns dbeta's value as dgamma (sum of dout); dgamma sums dout * x_hat"),
        (np.sum(dout * x_hat * gamma, axis=0), "multiplies by gamma; dgamma sums dout * x_hat (gamma "
                                               "is what it is the gradient for)"),
        (np.sum(dout * centered / (np.sqrt(variance) + eps), axis=0),
         "adds eps outside the square root (sqrt(var) + eps) in x_hat; Keras divides by sqrt(var + eps)"),
    ]
    if m > 1:
        dgamma.append((np.sum(dout * x_hat1, axis=0),
                       "uses the unbiased variance (ddof=1) for x_hat; batch normalization uses the biased "
                       "batch variance (ddof=0)"))
    dgamma.append((np.sum(dout * x_hat, axis=1), "sums over axis 1 (each sample's features); gamma is shared "
                                                 "by every sample, so its gradient sums over the batch, axis 0"))
    dbeta = [
        (np.mean(dout, axis=0), "averages dout over the batch; dbeta is its sum over axis 0"),
        (np.sum(dout, axis=1), "sums over axis 1 (each sample's features); beta is shared by every sample, so "
                               "its gradient sums over the batch, axis 0"),
        (np.sum(dout * x_hat, axis=0), "returns dgamma's value as dbeta; dbeta sums dout over the batch"),
        (np.sum(dout * gamma, axis=0), "multiplies by gamma; beta is added after the scaling, so dbeta "
                                       "sums dout itself"),
    ]
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def _bn_backward_call(batchnorm_backward: Callable, dout: Any, x: Any, gamma: Any,
                      eps: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The student's (dx, dgamma, dbeta) as float64 arrays of the contract's shapes, or a message."""
    inputs = {"dout": dout, "x": x, "gamma": gamma}
    before = {name: np.array(value, copy=True) for name, value in inputs.items()}
    args = (dout, x, gamma) if eps is None else (dout, x, gamma, eps)
    raw = call_student(batchnorm_backward, *args)
    changed = [name for name, value in inputs.items() if not same_contents(before[name], value)]
    require(not changed, f"batchnorm_backward modified {' and '.join(changed)} in place (an in-place -= or *=, "
                         "or writing into an input); compute new arrays and leave the inputs as they were.")
    batch, features = np.shape(x)
    if not isinstance(raw, (tuple, list)) or len(raw) != 3:
        shape = np.shape(raw) if isinstance(raw, np.ndarray) else None
        fail("batchnorm_backward should return the tuple (dx, dgamma, dbeta), got "
             + (f"one array of shape {shape}" if shape is not None else f"{type(raw).__name__}")
             + (" (only dx?)" if shape == (batch, features) else "") + ".")
    parts = []
    for name, value in zip(("dx", "dgamma", "dbeta"), raw):
        try:
            parts.append(np.asarray(value, dtype=np.float64))
        except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
            fail(f"batchnorm_backward's {name} should be an array, got {type(value).__name__}.")
    dx, dgamma, dbeta = parts
    if dx.shape != (batch, features):
        fail(f"batchnorm_backward's dx has shape {dx.shape}; it is the gradient with respect to x, so it has "
             f"x's shape {(batch, features)}.")
    for name, value in (("dgamma", dgamma), ("dbeta", dbeta)):
        if value.shape == (features,):
            continue
        if value.shape == (batch,) or value.shape == (batch, 1):
            why = ("summed over axis 1 (each sample's features); the gradient of a per-feature parameter sums "
                   "over the batch, axis 0")
        elif value.shape == ():
            why = "summed over every element; sum over the batch only (axis 0), one value per feature"
        elif value.shape == (1, features):
            why = "kept the summed axis (keepdims=True); return shape (features,), gamma's shape"
        elif value.shape == (batch, features):
            why = "not summed over the batch: every sample contributes to the gradient of the shared parameter"
        else:
            why = "it should have gamma's shape (features,)"
        fail(f"batchnorm_backward's {name} has shape {value.shape} for x of shape {(batch, features)}: {why}.")
    for name, value in zip(("dx", "dgamma", "dbeta"), parts):
        require(bool(np.all(np.isfinite(value))), f"batchnorm_backward's {name} has non-finite values "
                                                  f"(nan or inf): is eps added before the square root?")
    return dx, dgamma, dbeta


def _bn_backward_compare(result: tuple[np.ndarray, ...], expected: tuple[np.ndarray, ...], rtol: float,
                         dout: Any, x: Any, gamma: Any, eps: float, default_eps: bool, against: str) -> None:
    """Fail with the first wrong gradient's likely mistake (dbeta, then dgamma, then dx)."""
    def close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
        return a.shape == b.shape and float(np.max(np.abs(a - b), initial=0.0)) <= tol * (
            float(np.max(np.abs(b), initial=0.0)) + 1e-12)

    names = ("dx", "dgamma", "dbeta")
    wrong = [n for n, a, b in zip(names, result, expected) if not close(a, b, rtol)]
    if not wrong:
        return
    x64 = np.asarray(x, dtype=np.float64)
    if default_eps:  # the gradients with another eps: a wrong default
        dout64 = np.asarray(dout, dtype=np.float64)
        for other in (1e-5, 1e-8, 1e-2, 1e-1):
            centered, std = _bn_parts(x64, other)
            if close(result[1], np.sum(dout64 * centered / std, axis=0), max(rtol, 1e-6)):
                fail(f"batchnorm_backward's default eps is {other:g}; the contract (and Keras's "
                     "BatchNormalization) use eps=1e-3 when it is not given.")
    mistakes = _bn_backward_mistakes(dout, x, gamma, eps)
    for name in ("dbeta", "dgamma", "dx"):
        if name not in wrong:
            continue
        value = result[names.index(name)]
        for guess, message in mistakes[name]:
            if close(value, guess, max(rtol, 1e-6)):
                fail(f"batchnorm_backward's {name}: {message}.")
    name = next(n for n in ("dbeta", "dgamma", "dx") if n in wrong)
    value, reference = result[names.index(name)], expected[names.index(name)]
    worst = np.unravel_index(np.argmax(np.abs(value - reference)), value.shape)
    fail(f"batchnorm_backward's {name} differs from {against} (x of shape {np.shape(x)}, eps={eps:g}): at index "
         f"{tuple(int(i) for i in worst)} it is {value[worst]:.6g}, expected {reference[worst]:.6g}. "
         + ("Follow every path from x to the output: directly, through the batch mean and through the batch "
            "variance." if name == "dx" else "The parameter is shared by every sample of the batch: add up each "
            "sample's contribution (axis 0)."))


def check_batchnorm_backward(batchnorm_backward: Callable, dout: Any, x: Any, gamma: Any,
                             eps: float | None = 1e-3) -> None:
    """(dx, dgamma, dbeta) equal the central-difference gradients, in float64, of
    L = sum(dout * BN(x)) with BN Keras's training-mode normalization (biased variance, eps inside
    the square root). ``eps=None`` calls the student's function without ``eps`` (its default must be 1e-3)."""
    default_eps = eps is None
    eps = 1e-3 if eps is None else float(eps)
    result = _bn_backward_call(batchnorm_backward, dout, x, gamma, None if default_eps else eps)
    dout64, x64, gamma64 = (np.array(v, dtype=np.float64) for v in (dout, x, gamma))
    beta64 = np.zeros_like(gamma64)

    def loss(xv: np.ndarray, gv: np.ndarray, bv: np.ndarray) -> float:
        centered = xv - xv.mean(axis=0)
        return float(np.sum(dout64 * (gv * centered / np.sqrt(np.mean(centered ** 2, axis=0) + eps) + bv)))

    def central(values: np.ndarray, steps: np.ndarray, at: Callable[[np.ndarray], float]) -> np.ndarray:
        grad = np.zeros_like(values)
        for index in np.ndindex(values.shape):
            h = float(steps[index])
            up, down = values.copy(), values.copy()
            up[index] += h
            down[index] -= h
            grad[index] = (at(up) - at(down)) / (2 * h)
        return grad

    scale = np.broadcast_to(np.sqrt(x64.var(axis=0) + eps), x64.shape)  # steps relative to each feature's spread
    expected = (central(x64, 1e-5 * scale, lambda v: loss(v, gamma64, beta64)),
                central(gamma64, 1e-5 * np.maximum(1.0, np.abs(gamma64)), lambda v: loss(x64, v, beta64)),
                central(beta64, np.full(beta64.shape, 1e-5), lambda v: loss(x64, gamma64, v)))
    _bn_backward_compare(result, expected, _BN_BACKWARD_RTOL, dout, x, gamma, eps, default_eps,
                         "the numerical gradient (central differences in float64)")


_BN_LAYERS: dict[int, Any] = {}  # one Keras layer per number of features, built once per process


def check_batchnorm_backward_matches_keras(batchnorm_backward: Callable, dout: Any, x: Any, gamma: Any,
                                           beta: Any, eps: float = 1e-3) -> None:
    """(dx, dgamma, dbeta) equal Keras's gradients of sum(dout * BatchNormalization(epsilon=eps)(x,
    training=True)) with gamma and beta set (tf.GradientTape; float32 tolerance)."""
    result = _bn_backward_call(batchnorm_backward, dout, x, gamma, eps)
    keras = import_keras()
    features = np.shape(x)[1]
    with quiet():
        import tensorflow as tf

        if features not in _BN_LAYERS:
            layer = keras.layers.BatchNormalization()
            layer.build((None, features))
            _BN_LAYERS[features] = layer
        layer = _BN_LAYERS[features]
        layer.epsilon = float(eps)
        layer.gamma.assign(np.asarray(gamma, dtype=np.float32))
        layer.beta.assign(np.asarray(beta, dtype=np.float32))
        inputs = tf.constant(np.asarray(x, dtype=np.float32))
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            loss = tf.reduce_sum(layer(inputs, training=True) * tf.constant(np.asarray(dout, dtype=np.float32)))
        grads = tape.gradient(loss, [inputs, layer.gamma, layer.beta])
    expected = tuple(np.asarray(g, dtype=np.float64) for g in grads)
    _bn_backward_compare(result, expected, _BN_KERAS_RTOL, dout, x, gamma, float(eps), False,
                         f"Keras's gradients (BatchNormalization(epsilon={float(eps):g}), training=True)")


def batchnorm_backward_inputs(seed: int, batch: int, features: int) -> tuple[np.ndarray, ...]:
    """dout, x, gamma and beta (float64): features of different scales and offsets, gamma of both signs."""
    rng = np.random.default_rng(7000 + seed)
    scales = np.exp(rng.uniform(np.log(0.1), np.log(5.0), size=features))
    x = rng.normal(size=(batch, features)) * scales + rng.normal(0, 2, size=features) * scales
    dout = rng.normal(size=(batch, features))
    gamma = rng.normal(1.0, 0.8, size=features)
    beta = rng.normal(0.0, 1.0, size=features)
    return dout, x, gamma, beta


def check_batchnorm_backward_on_random_inputs(batchnorm_backward: Callable, seeds: Sequence[int] = range(4)) -> None:
    """Numerical gradients on random batches; the position picks the shape and eps, the seed the numbers."""
    for n, seed in enumerate(seeds):
        batch, features = ((5, 3), (8, 4), (3, 2), (12, 5))[n % 4]
        dout, x, gamma, _ = batchnorm_backward_inputs(seed, batch, features)
        check_batchnorm_backward(batchnorm_backward, dout, x, gamma, (1e-3, 1e-2, 0.1, 1e-5)[n % 4])
    dout, x, gamma, _ = batchnorm_backward_inputs(99, 6, 3)
    check_batchnorm_backward(batchnorm_backward, dout, x, gamma, None)  # Keras's default eps 1e-3
    x[:, 1] = 2.5  # a constant feature: its variance is 0, and eps alone keeps the division finite
    check_batchnorm_backward(batchnorm_backward, dout, x, gamma, 1e-3)


def check_batchnorm_backward_keras_on_random_inputs(batchnorm_backward: Callable,
                                                    seeds: Sequence[int] = range(3)) -> None:
    """Keras's gradients on random batches of 4 features (one layer); float32 or float64 inputs by position."""
    for n, seed in enumerate(seeds):
        dout, x, gamma, beta = batchnorm_backward_inputs(seed, (5, 7, 12)[n % 3], 4)
        if n % 2:
            dout, x, gamma, beta = (v.astype(np.float32) for v in (dout, x, gamma, beta))
        check_batchnorm_backward_matches_keras(batchnorm_backward, dout, x, gamma, beta, (1e-3, 1e-2, 0.1)[n % 3])


# ============================================================================ initializers
def he_normal_sample_std(fan_in: int, fan_out: int, seed: int) -> float:
    """Standard deviation of a ``keras.initializers.HeNormal(seed)`` kernel of shape (fan_in, fan_out)."""
    keras = import_keras()
    with quiet():
        w = np.asarray(keras.initializers.HeNormal(seed=seed)(shape=(fan_in, fan_out)), dtype=np.float64)
    return float(w.std())


def glorot_uniform_sample(fan_in: int, fan_out: int, seed: int) -> np.ndarray:
    keras = import_keras()
    with quiet():
        return np.asarray(keras.initializers.GlorotUniform(seed=seed)(shape=(fan_in, fan_out)), dtype=np.float64)


def _random_fans(seed: int, low: int, high: int) -> tuple[int, int, int]:
    """Random ``fan_in`` and ``fan_out`` in ``[low, high)``, and the rows of a kernel of ``fan_out``
    columns large enough (60,000 weights at least) for a precise sample statistic."""
    rng = np.random.default_rng(seed)
    fan_in, fan_out = int(rng.integers(low, high)), int(rng.integers(low, high))
    return fan_in, fan_out, max(fan_in, 60_000 // fan_out + 1)


def _known_mistake(result: float, mistakes: list[tuple[float, str]]) -> str | None:
    """The message of the first mistaken formula whose value ``result`` equals (to 1e-6), or None."""
    return next((message for value, message in mistakes if math.isclose(result, value, rel_tol=1e-6)), None)


def _he_mistakes(fan_in: int) -> list[tuple[float, str]]:
    return [
        (math.sqrt(1 / fan_in), "sqrt(1/fan_in) is LeCun's scale (for SELU); He uses sqrt(2/fan_in)"),
        (2 / fan_in, "returns the variance 2/fan_in; the standard deviation is its square root"),
        (math.sqrt(2 / fan_in) / 0.87962566103423978, "returns the stddev parameter Keras passes to its "
                                                      "truncated normal (divided by 0.8796); the drawn weights' "
                                                      "standard deviation is sqrt(2/fan_in)"),
        (math.sqrt(6 / fan_in), "sqrt(6/fan_in) is the limit of He uniform; the He normal standard "
                                "deviation is sqrt(2/fan_in)"),
        (math.sqrt(2) / fan_in, "takes the square root of 2 only; it is sqrt(2 / fan_in)"),
        (math.sqrt(fan_in / 2), "inverts the fraction: sqrt(2 / fan_in), not sqrt(fan_in / 2)"),
        (math.sqrt(1 / (2 * fan_in)), "puts the 2 in the denominator: sqrt(2 / fan_in), not sqrt(1 / (2 fan_in))"),
    ]


def check_he_normal_std(he_normal_std: Callable, fan_in: int) -> None:
    result = as_number(call_student(he_normal_std, fan_in), "he_normal_std", "the standard deviation")
    expected = math.sqrt(2 / fan_in)
    if math.isclose(result, expected, rel_tol=1e-6):
        return
    known = _known_mistake(result, _he_mistakes(fan_in))
    if known:
        fail(f"he_normal_std({fan_in}): {known}.")
    fail(f"he_normal_std({fan_in}) returned {result:.6g}; He-normal weights for {fan_in} inputs have standard "
         f"deviation {expected:.6g}, the scale that keeps the pre-activations' variance through ReLU layers "
         "(section 9).")


def check_he_normal_matches_keras(he_normal_std: Callable, fan_in: int, fan_out: int, seed: int = 0) -> None:
    """The student's value is the sample std of a large HeNormal kernel (within 3 %)."""
    sample = he_normal_sample_std(fan_in, fan_out, seed)
    result = as_number(call_student(he_normal_std, fan_in), "he_normal_std", "the standard deviation")
    if abs(result - sample) <= 0.03 * sample:
        return
    known = _known_mistake(result, _he_mistakes(fan_in) + [(math.sqrt(2 / fan_out), "uses fan_out")])
    if known:
        fail(f"he_normal_std({fan_in}): {known}; a HeNormal kernel of shape ({fan_in}, {fan_out}) drawn "
             f"by Keras has sample standard deviation {sample:.5f}.")
    fail(f"he_normal_std({fan_in}) returned {result:.6g}, but the weights of a "
         f"keras.initializers.HeNormal kernel of shape ({fan_in}, {fan_out}) have standard deviation "
         f"{sample:.5f}.")


def check_he_normal_on_random_inputs(he_normal_std: Callable, seeds: Sequence[int] = range(3)) -> None:
    for seed in seeds:
        fan_in, fan_out, rows = _random_fans(4000 + seed, 30, 800)
        check_he_normal_std(he_normal_std, fan_in)
        check_he_normal_std(he_normal_std, rows)
        check_he_normal_matches_keras(he_normal_std, rows, fan_out, seed)
    check_he_normal_std(he_normal_std, 1)
    check_he_normal_std(he_normal_std, np.int64(3072))


def _glorot_mistakes(fan_in: int, fan_out: int) -> list[tuple[float, str]]:
    total = fan_in + fan_out
    return [
        (math.sqrt(2 / total), "Glorot normal std instead of uniform limit: sqrt(2/(fan_in+fan_out)) is the "
                               "standard deviation; the uniform bound is sqrt(6/(fan_in+fan_out))"),
        (math.sqrt(6 / fan_in), "uses fan_in only (sqrt(6/fan_in) is He uniform); Glorot averages both "
                                "fans: sqrt(6/(fan_in+fan_out))"),
        (math.sqrt(6 / fan_out), "uses fan_out only; Glorot uses both: sqrt(6/(fan_in+fan_out))"),
        (math.sqrt(3 / fan_in), "sqrt(3/fan_in) is LeCun uniform; Glorot uses sqrt(6/(fan_in+fan_out))"),
        (6 / total, "forgets the square root: r = sqrt(6/(fan_in+fan_out))"),
        (math.sqrt(6 / (fan_in * fan_out)), "multiplies the fans; Glorot adds them: sqrt(6/(fan_in+fan_out))"),
        (math.sqrt(3 / total), "uses 3 instead of 6 (fan_avg counted twice); r = sqrt(6/(fan_in+fan_out))"),
        (math.sqrt(6) / total, "takes the square root of 6 only; r = sqrt(6/(fan_in+fan_out))"),
        (math.sqrt(6 / fan_in + fan_out), "operator precedence: 6 / fan_in + fan_out divides before adding; "
                                          "write 6 / (fan_in + fan_out)"),
        (math.sqrt(6 / fan_in) + fan_out, "operator precedence: the sum fan_in + fan_out must be in parentheses"),
        (math.sqrt(1 / fan_in), "sqrt(1/fan_in) is LeCun's normal scale; Glorot uniform's bound is "
                                "sqrt(6/(fan_in+fan_out))"),
    ]


def check_glorot_uniform_limit(glorot_uniform_limit: Callable, fan_in: int, fan_out: int) -> None:
    result = as_number(call_student(glorot_uniform_limit, fan_in, fan_out), "glorot_uniform_limit", "the bound r")
    expected = math.sqrt(6 / (fan_in + fan_out))
    if math.isclose(result, expected, rel_tol=1e-6):
        return
    known = _known_mistake(result, _glorot_mistakes(fan_in, fan_out))
    if known:
        fail(f"glorot_uniform_limit({fan_in}, {fan_out}): {known}.")
    fail(f"glorot_uniform_limit({fan_in}, {fan_out}) returned {result:.6g}; Glorot uniform draws from "
         f"U(-r, r) with r = {expected:.6g} for these fans: the bound whose uniform variance r**2 / 3 is "
         "Glorot's variance, computed from the average of the two fans (section 9).")


def check_glorot_uniform_matches_keras(glorot_uniform_limit: Callable, fan_in: int, fan_out: int,
                                       seed: int = 0) -> None:
    """Every weight of a large GlorotUniform kernel lies within the bound and the largest is close
    to it (within 1 %); the sample std is close to bound / sqrt(3)."""
    w = glorot_uniform_sample(fan_in, fan_out, seed)
    largest = float(np.max(np.abs(w)))
    result = as_number(call_student(glorot_uniform_limit, fan_in, fan_out), "glorot_uniform_limit", "the bound r")
    uniform_std = abs(w.std() - result / math.sqrt(3)) <= 0.03 * w.std()
    if largest <= result * (1 + 1e-5) and result <= largest * 1.01 and uniform_std:
        return
    known = _known_mistake(result, _glorot_mistakes(fan_in, fan_out))
    if known:
        fail(f"glorot_uniform_limit({fan_in}, {fan_out}): {known}; Keras's GlorotUniform kernel of that "
             f"shape has largest |w| = {largest:.5f}.")
    fail(f"glorot_uniform_limit({fan_in}, {fan_out}) returned {result:.6g}, but a "
         f"keras.initializers.GlorotUniform kernel of shape ({fan_in}, {fan_out}) has largest |w| = "
         f"{largest:.5f} (every weight lies in [-r, r], and the largest comes close to r).")


def check_glorot_uniform_on_random_inputs(glorot_uniform_limit: Callable, seeds: Sequence[int] = range(3)) -> None:
    for seed in seeds:
        fan_in, fan_out, rows = _random_fans(4500 + seed, 2, 900)
        check_glorot_uniform_limit(glorot_uniform_limit, fan_in, fan_out)
        check_glorot_uniform_limit(glorot_uniform_limit, fan_out, 3 * fan_out + 7)
        check_glorot_uniform_matches_keras(glorot_uniform_limit, rows, fan_out, seed)
    check_glorot_uniform_limit(glorot_uniform_limit, 1, 1)
    check_glorot_uniform_limit(glorot_uniform_limit, np.int64(784), np.int64(300))
