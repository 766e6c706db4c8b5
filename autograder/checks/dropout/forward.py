"""Checks of chapter 06's ``dropout_forward``: exact inverted scaling for the mask
returned, the identity at inference, Keras's ``Dropout`` layer (statistically in training mode,
exactly in inference mode), and the masks' statistics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import fail, require, value_error_of
from autograder.checks._common import call_student_as, quiet
from autograder.checks.dropout._common import (
    ACROSS_RATE,
    BAD_RATES,
    SIGMAS,
    SMALL_SHAPE,
    _as_01,
    _numeric_array,
)
from autograder.checks.dropout._statistics import (
    _check_independent,
    _check_keep_fraction,
    _check_uses_only_rng,
    _keep_fraction_message,
    check_masks_across_calls,
)
from course.runtime import import_keras


def _forward(dropout_forward: Callable, a: np.ndarray, rate: float, rng: np.random.Generator,
             training: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Call the student's forward pass; return (out, mask) as float64 arrays after structural checks."""
    before = a.copy()
    where = f"dropout_forward(a of shape {a.shape}, rate={rate}, rng, training={training})"
    result = call_student_as(dropout_forward, where, a, rate, rng, training=training)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{where} should return a pair (out, mask), got {type(result).__name__}.")
    if not np.array_equal(a, before):
        fail(f"{where} modified its input a in place; compute the output in a new array "
             "(out = a * mask / (1 - rate), not a *= ...).")
    out = _numeric_array(result[0], f"{where}: out")
    if out.shape != a.shape:
        fail(f"{where}: out has shape {out.shape}, expected the input's shape {a.shape}.")
    mask = _as_01(result[1], a.shape, f"{where}: mask", rate, allow_bool=True)
    return out.astype(np.float64), mask


def _diagnose_forward(where: str, out: np.ndarray, a: np.ndarray, mask: np.ndarray, rate: float) -> None:
    """Fail unless out == a * mask / (1 - rate); name the mistake it matches."""
    a = a.astype(np.float64)
    expected = a * mask / (1 - rate)
    if np.allclose(out, expected, rtol=1e-5, atol=1e-7):
        return
    with np.errstate(all="ignore"):
        _name_forward_mistake(where, out, a, mask, rate)
    kept_values = np.isclose(out, expected, rtol=1e-5, atol=1e-7)
    fail(f"{where}: out is not a * mask / (1 - rate) for the mask returned ({np.mean(~kept_values):.1%} of "
         "the entries differ). Return the very mask that produced out (draw it once), and use "
         "out = a * mask / (1 - rate).")


def _name_forward_mistake(where: str, out: np.ndarray, a: np.ndarray, mask: np.ndarray, rate: float) -> None:
    candidates = [
        (a * mask, "the kept activations are not rescaled. Inverted dropout divides them by the keep "
                   "probability 1 - rate, so that the expected activation stays the same"),
        (a * mask / rate, "it divides by rate; divide by the keep probability 1 - rate"),
        (a * mask * (1 - rate), "it multiplies by the keep probability 1 - rate (the scale-at-test-time "
                                "convention). Inverted dropout divides by 1 - rate during training"),
        (a * mask * rate, "it multiplies by rate; inverted dropout divides by 1 - rate"),
        (a * (1 - mask) / (1 - rate), "it keeps the dropped entries: out uses 1 - mask. mask = 1 means kept"),
        (a / (1 - rate), "the mask is not applied to out"),
    ]
    for value, message in candidates:
        if np.allclose(out, value, rtol=1e-5, atol=1e-7):
            fail(f"{where}: {message}.")


def _check_identity(where: str, out: np.ndarray, mask: np.ndarray, a: np.ndarray, rate: float, why: str) -> None:
    a64 = a.astype(np.float64)
    if not np.allclose(out, a64, rtol=1e-6, atol=1e-12):
        if rate > 0 and np.allclose(out, a64 * (1 - rate), rtol=1e-5):
            fail(f"{where}: out is a * (1 - rate). {why} it must return a unchanged: inverted dropout "
                 "already scaled during training, so nothing is scaled at inference.")
        if rate > 0 and np.allclose(out, a64 / (1 - rate), rtol=1e-5):
            fail(f"{where}: out is a / (1 - rate). {why} nothing is dropped and nothing is scaled: return a "
                 "unchanged.")
        if np.any((out == 0) & (a64 != 0)):
            fail(f"{where}: some activations were dropped. {why} dropout is off: out must equal a "
                 "(dropping at inference makes predictions random and too small).")
        fail(f"{where}: out should equal a. {why} dropout is the identity.")
    if not np.all(mask == 1):
        fail(f"{where}: the mask should be all ones (nothing is dropped in this mode), "
             f"but it has {int(np.sum(mask == 0))} zeros.")


def check_dropout_forward(dropout_forward: Callable, a: np.ndarray, rate: float, seed: int = 0) -> None:
    """Training: out == a * mask / (1 - rate) with a 0/1 mask; inference and rate 0: the identity;
    ValueError outside 0 <= rate < 1 (training or not)."""
    a = np.asarray(a)
    rng = np.random.default_rng(seed)
    where = f"dropout_forward(a, rate={rate}, rng, training=True)"
    out, mask = _forward(dropout_forward, a, rate, rng, training=True)
    _diagnose_forward(where, out, a, mask, rate)
    out, mask = _forward(dropout_forward, a, rate, rng, training=False)
    _check_identity(f"dropout_forward(a, rate={rate}, rng, training=False)", out, mask, a, rate,
                    "At inference (training=False)")
    out, mask = _forward(dropout_forward, a, 0.0, rng, training=True)
    _check_identity("dropout_forward(a, rate=0.0, rng, training=True)", out, mask, a, 0.0, "With rate 0")
    for bad in BAD_RATES:
        for training in (True, False):
            def call(bad=bad, training=training):
                return dropout_forward(a, bad, np.random.default_rng(0), training=training)

            where = f"dropout_forward(a, rate={bad}, rng, training={training})"
            error, _ = value_error_of(call, "dropout_forward", where)
            if error is not None:
                continue
            if training:
                fail(f"dropout_forward(a, rate={bad}, rng) should raise ValueError: the rate must satisfy "
                     "0 <= rate < 1.")
            fail(f"dropout_forward(a, rate={bad}, rng, training=False) should raise ValueError: the rate is "
                 "checked whether training or not (0 <= rate < 1).")


def forward_inputs(seed: int) -> list[np.ndarray]:
    """Seeded inputs of several shapes and dtypes (positive and negative values)."""
    rng = np.random.default_rng(300 + seed)
    return [rng.normal(size=(50,)).astype(np.float64),
            rng.normal(size=(30, 40)).astype(np.float32),
            rng.normal(size=(6, 7, 8)).astype(np.float64),
            rng.uniform(0.5, 2.0, size=(64, 16)).astype(np.float32)]


def check_dropout_forward_inverted_scaling(dropout_forward: Callable, seeds: Sequence[int] = range(3),
                                           rates: Sequence[float] = (0.1, 0.25, 0.5, 0.8),
                                           large_shape: tuple = (500, 400)) -> None:
    """Random inputs (1-D to 3-D, float32/float64): exact inverted scaling for the mask returned, the
    identity at inference; on a large input, the kept share and the expected activation."""
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        for i, a in enumerate(forward_inputs(seed)):
            rate = rates[(n + i) % len(rates)]
            check_dropout_forward(dropout_forward, a, rate, seed=seed * 10 + i)
    rng = np.random.default_rng(77)
    for rate in (0.2, 0.6):
        a = np.random.default_rng(int(rate * 100)).uniform(0.5, 1.5, size=large_shape)
        out, mask = _forward(dropout_forward, a, rate, rng)
        _diagnose_forward(f"dropout_forward(a of shape {large_shape}, rate={rate}, rng)", out, a, mask, rate)
        _check_keep_fraction("dropout_forward (its mask)", mask, rate)
        # E[out] = E[a]: the mean ratio's sd is sqrt(E[a^2] rate / (1 - rate) / n) / E[a]
        ratio = out.mean() / a.mean()
        tol = SIGMAS * math.sqrt(np.mean(a ** 2) * rate / (1 - rate) / a.size) / a.mean()
        require(abs(ratio - 1) <= tol,
                f"dropout_forward changes the expected activation: mean(out) / mean(a) = {ratio:.4f} with "
                f"rate={rate} (expected 1 within {tol:.4f}). Keep entries with probability 1 - rate and "
                "divide them by 1 - rate.")


def check_dropout_forward_matches_keras(dropout_forward: Callable, rates: Sequence[float] = (0.2, 0.5, 0.8),
                                        shapes: Sequence[tuple] = ((400, 500), (20, 50, 200)), seed: int = 0) -> None:
    """Training mode: the same output values {0, a/(1-rate)} and statistically the same kept share as
    ``keras.layers.Dropout(rate)``, and like Keras a new mask at every call (100 small masks from one
    generator never repeat); inference mode: exactly Keras's output (the input itself)."""
    keras = import_keras()
    rng = np.random.default_rng(seed)
    for i, rate in enumerate(rates):
        shape = shapes[i % len(shapes)]
        a = np.random.default_rng(1000 + i).uniform(0.5, 1.5, size=shape).astype(np.float32)
        with quiet():
            layer = keras.layers.Dropout(rate, seed=seed + i)
            keras_train = np.asarray(layer(keras.ops.convert_to_tensor(a), training=True)).astype(np.float64)
            keras_infer = np.asarray(layer(keras.ops.convert_to_tensor(a), training=False)).astype(np.float64)
        if not np.array_equal(keras_infer, a.astype(np.float64)):
            fail("internal check error: Keras's Dropout is not the identity at inference")
        where = f"dropout_forward(a of shape {shape}, rate={rate}, rng, training=True)"
        out, mask = _forward(dropout_forward, a, rate, rng, training=True)
        _diagnose_forward(where, out, a, mask, rate)
        keras_ratios = np.unique(np.round(keras_train / a, 4))
        ratios = np.unique(np.round(out / a.astype(np.float64), 4))
        if ratios.shape != keras_ratios.shape or not np.allclose(ratios, keras_ratios, rtol=1e-3):
            fail(f"{where}: out / a takes the values {ratios[:4].tolist()}, but Keras's Dropout({rate}) gives "
                 f"{keras_ratios.tolist()} (0 for a dropped entry, 1/(1 - rate) for a kept one).")
        n = a.size
        keras_kept, kept = float(np.mean(keras_train != 0)), float(np.mean(out != 0))
        tol = SIGMAS * math.sqrt(2 * rate * (1 - rate) / n)
        if abs(kept - keras_kept) > tol:
            _check_independent("dropout_forward", (out != 0).astype(np.float64), rate, blocks=True)
            message = _keep_fraction_message("dropout_forward", kept, rate, n)
            fail(f"{where} kept {kept:.2%} of the entries, Keras's Dropout({rate}) {keras_kept:.2%}. "
                 + (message or ""))
        infer_out, infer_mask = _forward(dropout_forward, a, rate, rng, training=False)
        _check_identity(f"dropout_forward(a, rate={rate}, rng, training=False)", infer_out, infer_mask, a, rate,
                        "Like Keras's Dropout at inference (training=False),")
    # Keras's Dropout draws a new mask at every training call: 100 small masks from one generator never repeat
    check_masks_across_calls("dropout_forward", _small_forward_draw(dropout_forward, seed), seed + 1,
                              n_calls=100, full=False)


def check_dropout_forward_uses_only_rng(dropout_forward: Callable, rate: float = 0.4, seed: int = 12) -> None:
    """Deterministic for a seeded Generator, consumes it, ignores global state; independent elements, no
    repeated blocks in a large mask; across 300 calls with one generator the masks are independent draws
    (no repeats; pairwise agreement, kept counts per call and per position within exact binomial bands).
    False failure <= 1.5e-8."""
    a = np.random.default_rng(9).uniform(0.5, 1.5, size=(60, 50))

    def draw(rng: np.random.Generator) -> np.ndarray:
        out, mask = _forward(dropout_forward, a, rate, rng)
        return np.concatenate([out.ravel(), mask.ravel()])

    _check_uses_only_rng("dropout_forward", draw)
    rng = np.random.default_rng(seed)
    for shape in ((600, 500), (40, 50, 60)):
        out, mask = _forward(dropout_forward, np.ones(shape), rate, rng)
        _check_keep_fraction("dropout_forward (its mask)", mask, rate)
        _check_independent("dropout_forward", (out != 0).astype(np.float64), rate, blocks=True)
    check_masks_across_calls("dropout_forward", _small_forward_draw(dropout_forward, seed), seed + 1)


def _small_forward_draw(dropout_forward: Callable, seed: int) -> Callable[[np.random.Generator], np.ndarray]:
    """One training call on a small positive input: which entries of out were kept (out != 0).

    The entries actually dropped, whatever the scaling (the inverted-scaling checks judge that) and
    whichever mask is returned (other checks compare it with out).
    """
    a = np.random.default_rng(seed).uniform(0.5, 1.5, size=SMALL_SHAPE)

    def draw(rng: np.random.Generator) -> np.ndarray:
        out, _ = _forward(dropout_forward, a, ACROSS_RATE, rng)
        return (out != 0).astype(np.float64)

    return draw
