"""Checks of chapter 06's ``mc_dropout_predict``: a recording stand-in model with
known outputs, and real Keras models with and without dropout. In trusted grading both stay in the
grader and the sandbox calls them by reference (``__grading_remote__``), so the record of the calls
is the grader's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from autograder.checks import CheckFailed, fail, require, value_error_of
from autograder.checks._common import call_student_as, quiet
from autograder.checks.dropout._common import (
    SIGMAS,
)
from course.runtime import import_keras


class RecordingModel:
    """Stands in for a Keras model: its i-th call returns ``outputs[i]`` as a TensorFlow tensor.

    It records the ``training`` argument of every call; ``predict`` is recorded too (and returns
    the same outputs as NumPy arrays) so that a check can say it was used.
    """

    # Called by reference from the grading sandbox: the calls run (and are recorded) here.
    __grading_remote__: ClassVar[tuple[str, ...]] = ("__call__", "predict")

    def __init__(self, outputs: Sequence[np.ndarray], as_numpy: bool = False):
        self.outputs = [np.asarray(o, dtype=np.float32) for o in outputs]
        self.as_numpy = as_numpy  # the contract allows models that return NumPy arrays
        self.training_args: list[Any] = []
        self.predict_calls = 0

    def __repr__(self) -> str:
        kind = "NumPy arrays" if self.as_numpy else "tensors"
        return f"RecordingModel({len(self.outputs)} outputs of shape {self.outputs[0].shape}, returns {kind})"

    def _next(self) -> np.ndarray:
        return self.outputs[(len(self.training_args) + self.predict_calls - 1) % len(self.outputs)]

    def __call__(self, X: Any, training: Any = None, **kwargs: Any):
        self.training_args.append(training)
        if self.as_numpy:
            return self._next().copy()
        keras = import_keras()
        with quiet():
            return keras.ops.convert_to_tensor(self._next())

    def predict(self, X: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        self.predict_calls += 1
        return self._next().copy()


class _KerasModelProxy:
    """A real Keras model whose ``predict`` is recorded and fails at once (``predict`` is slow, runs in
    inference mode, and would make a wrong answer take long)."""

    # Called by reference from the grading sandbox: the model runs here, and so does the record.
    __grading_remote__: ClassVar[tuple[str, ...]] = ("__call__", "predict")

    def __init__(self, model: Any):
        self._model = model
        self.predict_calls = 0

    def __repr__(self) -> str:
        return f"<Keras model {self._model.name!r}>"

    def __call__(self, *args: Any, **kwargs: Any):
        return self._model(*args, **kwargs)

    def predict(self, *args: Any, **kwargs: Any):
        self.predict_calls += 1
        fail(f"mc_dropout_predict {_PREDICT_MESSAGE}")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_model":  # pickling probes these before _model exists
            raise AttributeError(name)
        return getattr(self._model, name)


def recorded_outputs(n_passes: int, shape: tuple = (6, 3), seed: int = 0) -> list[np.ndarray]:
    """Known outputs for a :class:`RecordingModel`: the first ``n_passes`` define the expected answer,
    a few extra ones are there for implementations that call the model too often."""
    rng = np.random.default_rng(50 + seed)
    return [rng.uniform(0, 1, size=shape).astype(np.float32) for _ in range(n_passes + 3)]


_PREDICT_MESSAGE = ("uses model.predict, which runs the model in inference mode: dropout is off and every pass "
                    "gives the same output. Call model(X, training=True).")


def _fail_if_predict_used(model: Any, where: str) -> None:
    """The model's own record (kept by the grader) says whether ``predict`` was called."""
    if getattr(model, "predict_calls", 0):
        fail(f"{where} {_PREDICT_MESSAGE}")


def _mc_result(mc_dropout_predict: Callable, model: Any, X: Any, n_passes: int,
               shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    where = f"mc_dropout_predict(model, X, n_passes={n_passes})"
    try:
        with quiet():
            result = call_student_as(mc_dropout_predict, where, model, X, n_passes)
    except CheckFailed as error:
        _fail_if_predict_used(model, where)  # the likelier cause, even when the function swallowed it
        if "has no attribute 'numpy'" in str(error):
            fail(f"{error} The model may return a NumPy array rather than a tensor: convert each pass with "
                 "np.asarray(...), which works for both.")
        raise
    _fail_if_predict_used(model, where)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{where} should return a pair (mean, std), got {type(result).__name__}.")
    arrays = []
    for part, name in zip(result, ("mean", "std")):
        if not isinstance(part, np.ndarray):
            kind = (getattr(part, "type_name", None) or f"{type(part).__module__}.{type(part).__name__}")[:120]
            fail(f"{where} returns {name} as a {kind}; the contract "
                 "asks for NumPy arrays: convert the passes (np.asarray) and compute with NumPy, or convert "
                 "the results with np.asarray.")
        try:
            array = np.asarray(part, dtype=np.float64)
        except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
            fail(f"{where}: {name} should be a NumPy array, got {type(part).__name__}.")
        if array.shape != shape:
            fail(f"{where}: {name} has shape {array.shape}, expected {shape} (the shape of one prediction: "
                 "average over the passes, axis 0 of the stacked passes, not over samples or classes).")
        arrays.append(array)
    return arrays[0], arrays[1]


def check_mc_dropout_predict(mc_dropout_predict: Callable, n_passes: int = 5, shape: tuple = (6, 3),
                             seed: int = 0, as_numpy: bool = False) -> None:
    """With a recording model whose i-th call returns a known array (a TensorFlow tensor, or a NumPy
    array with ``as_numpy``): exactly ``n_passes`` calls, each with ``training=True``; the mean and
    the population std (ddof=0) of those outputs."""
    outputs = recorded_outputs(n_passes, shape, seed)
    model = RecordingModel(outputs, as_numpy=as_numpy)
    X = np.random.default_rng(seed).normal(size=(shape[0], 4)).astype(np.float32)
    where = f"mc_dropout_predict(model, X, n_passes={n_passes})"
    mean, std = _mc_result(mc_dropout_predict, model, X, n_passes, shape)  # fails if model.predict was used
    wrong_training = [t for t in model.training_args if t is not True and not (isinstance(t, np.bool_) and t)]
    if wrong_training:
        fail(f"{where} called the model with training={wrong_training[0]!r}: dropout is only active with "
             "training=True, so Monte Carlo dropout must call model(X, training=True).")
    calls = len(model.training_args)
    if calls != n_passes:
        off_by = {n_passes + 1: "one too many", n_passes - 1: "one too few"}.get(calls, "check the loop")
        fail(f"{where} called the model {calls} times; it must call it exactly n_passes = {n_passes} times "
             f"({off_by}).")
    stacked = np.stack([o.astype(np.float64) for o in outputs[:n_passes]])
    expected_mean, expected_std = stacked.mean(axis=0), stacked.std(axis=0)
    if np.allclose(mean, expected_std, rtol=1e-4, atol=1e-6) and np.allclose(std, expected_mean, rtol=1e-4, atol=1e-6):
        fail(f"{where} returns (std, mean); the contract's order is (mean, std).")
    if not np.allclose(mean, expected_mean, rtol=1e-5, atol=1e-6):
        fail(f"{where}: mean is not the element-wise mean of the {n_passes} passes (largest difference "
             f"{np.max(np.abs(mean - expected_mean)):.3g}).")
    if np.allclose(std, expected_std, rtol=1e-4, atol=1e-6):
        return
    if np.any(np.isnan(std)):
        fail(f"{where}: std holds NaN" + (" (ddof=1 with a single pass divides by 0)" if n_passes == 1 else "")
             + "; the contract asks for the population standard deviation over the passes, ddof=0 (np.std's "
             "default), which is 0 for one pass.")
    if n_passes > 1 and np.allclose(std, stacked.std(axis=0, ddof=1), rtol=1e-4, atol=1e-6):
        fail(f"{where}: std uses ddof=1 (the sample standard deviation); the contract asks for the population "
             "standard deviation over the passes, ddof=0 (NumPy's default np.std).")
    if np.allclose(std, expected_std ** 2, rtol=1e-4, atol=1e-6):
        fail(f"{where} returns the variance as std; take its square root (np.std, not np.var).")
    fail(f"{where}: std is not the element-wise standard deviation (ddof=0) of the {n_passes} passes (largest "
         f"difference {np.max(np.abs(std - expected_std)):.3g}).")


def check_mc_dropout_predict_passes(mc_dropout_predict: Callable, pass_counts: Sequence[int] = (1, 2, 13),
                                    shapes: Sequence[tuple] = ((4, 10), (7, 1), (3, 5))) -> None:
    """Other pass counts and output shapes (n_passes=1 gives std 0), a model that returns NumPy
    arrays instead of tensors; ValueError when n_passes < 1."""
    for i, (n_passes, shape) in enumerate(zip(pass_counts, shapes)):
        check_mc_dropout_predict(mc_dropout_predict, n_passes=n_passes, shape=shape, seed=10 + i)
    check_mc_dropout_predict(mc_dropout_predict, n_passes=4, shape=(5, 2), seed=20, as_numpy=True)
    for bad in (0, -2):
        model = RecordingModel(recorded_outputs(2))
        where = f"mc_dropout_predict(model, X, n_passes={bad})"
        def call(model=model, bad=bad):
            with quiet():
                return mc_dropout_predict(model, np.zeros((6, 4), np.float32), bad)

        error, _ = value_error_of(call, "mc_dropout_predict", where, "n_passes must be at least 1")
        if error is not None:
            continue
        fail(f"{where} should raise ValueError: n_passes must be at least 1 (there is nothing to average).")


def check_mc_dropout_predict_keras(mc_dropout_predict: Callable, n_passes: int = 100,
                                   shape: tuple = (40, 50), seed: int = 0) -> None:
    """Real Keras models. Only ``Dropout(0.5)`` on ones: each pass gives 0 or 2, so the mean is about 1
    and, exactly, std**2 == 2*mean - mean**2 (ddof 0); the spread is about 1. Without dropout:
    std 0 and the mean equals model(X)."""
    keras = import_keras()
    with quiet():
        dropout_model = keras.Sequential([keras.Input(shape=(shape[1],)), keras.layers.Dropout(0.5, seed=seed)])
        plain_model = keras.Sequential([keras.Input(shape=(shape[1],)), keras.layers.Dense(3, activation="tanh")])
        X = np.ones(shape, dtype=np.float32)
        plain_output = np.asarray(plain_model(X)).astype(np.float64)
    where = f"mc_dropout_predict(a Keras model holding only Dropout(0.5), X of ones, n_passes={n_passes})"
    mean, std = _mc_result(mc_dropout_predict, _KerasModelProxy(dropout_model), X, n_passes, shape)
    if np.all(std == 0):
        fail(f"{where}: std is 0 everywhere, so every pass gave the same output: dropout was off. Call "
             "model(X, training=True) (model.predict and model(X) run in inference mode).")
    n = mean.size
    # mean of n_passes draws of 2*Bernoulli(0.5): sd 1/sqrt(n_passes) per element
    tol = SIGMAS / math.sqrt(n_passes * n)
    require(abs(mean.mean() - 1) <= tol,
            f"{where}: the mean prediction averages {mean.mean():.4f}; inverted dropout on ones gives 1 on "
            f"average (within {tol:.4f}).")
    # for outputs in {0, 2}: population variance = E[x^2] - E[x]^2 = 2*mean - mean^2, exactly
    identity = 2 * mean - mean ** 2
    if not np.allclose(std ** 2, identity, rtol=1e-4, atol=1e-5):
        if np.allclose(std ** 2, identity * n_passes / (n_passes - 1), rtol=1e-4, atol=1e-5):
            fail(f"{where}: std uses ddof=1; the contract asks for the population std (ddof=0).")
        if np.allclose(std, identity, rtol=1e-4, atol=1e-5):
            fail(f"{where} returns the variance as std; take its square root.")
        fail(f"{where}: std is not the standard deviation over the passes (for outputs 0 or 2, "
             "std**2 must equal 2*mean - mean**2).")
    require(abs(std.mean() - 1) <= 0.05,
            f"{where}: the spread averages {std.mean():.3f}; one pass gives 0 or 2, so about 1 is expected.")
    where = "mc_dropout_predict(a Keras model without dropout, X, n_passes=10)"
    mean, std = _mc_result(mc_dropout_predict, _KerasModelProxy(plain_model), X, 10, (shape[0], 3))
    require(np.allclose(mean, plain_output, rtol=1e-5, atol=1e-6),
            f"{where}: the mean should equal the model's output, since every pass is the same.")
    require(np.all(np.abs(std) <= 1e-6), f"{where}: std should be 0 (every pass is the same); largest "
                                         f"{np.max(np.abs(std)):.3g}.")
