"""Checks of chapter 07's ``early_stopping_epoch``: the real
``keras.callbacks.EarlyStopping`` driven directly with scripted validation losses (``on_train_begin``
then ``on_epoch_end`` until the model's ``stop_training`` flag is set), and once inside a real
training run; a wrong answer is explained by the simulated mistakes that reproduce it (the
simulation only ever computes a mistake).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import CheckFailed, call_student, expect_value_error, fail, require, train_in_order
from autograder.checks._common import quiet, same_contents
from course.runtime import import_keras


@functools.cache
def _probe_model():
    keras = import_keras()
    with quiet():
        return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])


_MISTAKE_OPTIONS = {"late": (1, -1), "tie_improves": (True,), "ignore_delta": (True,), "previous": (True,),
                    "stop_on_improvement": (True,), "delta_sign": (-1,),
                    "best_rule": ("argmin_all", "argmin_until_stop", "last_argmin_until_stop", "stop_minus_patience")}


def mistaken_early_stopping(losses: list[float], patience: int, min_delta: float, mistake: dict) -> tuple[int, int]:
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
            if all(mistaken_early_stopping([float(v) for v in ls], p, d, options) == g for ls, p, d, g in answers)]


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
        before = copy.deepcopy(losses)
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


def training_curve(seed: int, max_epochs: int) -> list[float]:
    """Validation losses of a tiny overfitting model over ``max_epochs`` epochs: each epoch runs
    ``fit``'s compiled train step batch by batch (:func:`train_in_order`) and then measures the
    validation loss, as ``fit(validation_data=...)`` does."""
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
    return losses


CURVE_ATTEMPTS = 8  # seeds tried for a curve on which training stops early (about 1 in 15 does not)


def _stopping_late_shows(losses: list[float], patience: int) -> bool:
    """Whether stopping one epoch late gives another answer than the callback on ``losses`` (it does
    not when the callback never stops before the last epoch)."""
    def late(val_losses, patience, min_delta):
        return mistaken_early_stopping([float(v) for v in val_losses], patience, min_delta, {"late": 1})

    try:
        check_early_stopping_cases(late, [(losses, patience, 0.0)])
    except CheckFailed:
        return True
    return False


def check_early_stopping_agrees_with_fit(early_stopping_epoch: Callable, patience: int = 2, seed: int = 0,
                                         max_epochs: int = 16) -> None:
    """Train a tiny overfitting model for ``max_epochs`` epochs and record its real validation
    curve (:func:`training_curve`); the real ``EarlyStopping`` on that curve is the answer. The
    student's function gets the whole curve and must return both epochs (or ``max_epochs``).

    The curve is that of ``seed`` or, when the callback would not stop before the last epoch on
    it, of the next seed that does: on such a curve, stopping an epoch late or never is
    indistinguishable from the right answer.
    """
    for attempt in range(CURVE_ATTEMPTS):
        losses = training_curve(seed + attempt, max_epochs)
        if _stopping_late_shows(losses, patience):
            break
    try:
        check_early_stopping_cases(early_stopping_epoch, [(losses, patience, 0.0)])
    except CheckFailed as error:
        fail(f"Training recorded the validation losses {_shown([round(v, 4) for v in losses])}; "
             f"EarlyStopping(patience={patience}, restore_best_weights=True) on them: {error}")
