"""Checks of chapter 07's ``batchnorm_backward``: central differences of
``sum(dout * BN(x))`` in float64, and the gradients TensorFlow computes for a real
``BatchNormalization`` layer (``tf.GradientTape``, float32 tolerance); wrong gradients are matched
against the usual mistakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import call_student, fail, require
from autograder.checks._common import numerical_gradient, quiet, same_contents
from course.runtime import import_keras

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

    scale = np.broadcast_to(np.sqrt(x64.var(axis=0) + eps), x64.shape)  # steps relative to each feature's spread
    expected = (numerical_gradient(lambda v: loss(v, gamma64, beta64), x64, 1e-5 * scale),
                numerical_gradient(lambda v: loss(x64, v, beta64), gamma64, 1e-5 * np.maximum(1.0, np.abs(gamma64))),
                numerical_gradient(lambda v: loss(x64, gamma64, v), beta64, np.full(beta64.shape, 1e-5)))
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
