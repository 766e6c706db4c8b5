"""Checks of chapter 07's ``batchnorm_forward``: ``keras.layers.BatchNormalization``
with gamma and beta set, called with ``training=True`` (float32 tolerance), plus the normalization's
statistical properties; a wrong output is matched against the usual mistakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import call_student, fail, require
from autograder.checks._common import quiet, same_contents
from course.runtime import import_keras


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
