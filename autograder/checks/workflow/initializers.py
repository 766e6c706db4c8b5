"""Checks of chapter 07's ``he_normal_std`` and ``glorot_uniform_limit``: the
formulas, and the sample standard deviation / largest magnitude of large Keras ``HeNormal`` /
``GlorotUniform`` kernels; a wrong value is matched against the usual mistaken formulas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import call_student, fail
from autograder.checks._common import as_number, quiet
from course.runtime import import_keras


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
