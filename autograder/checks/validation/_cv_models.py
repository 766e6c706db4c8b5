"""What ``cross_validate``'s checks hand to the student's loop: a model factory (``build_model``)
whose models, recording stand-ins of known outputs or small Keras regressors, keep a record of
what they were trained and scored on; and the data and folds the checks draw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from autograder.checks._common import quiet
from autograder.checks.validation._common import Split
from course.runtime import import_keras

# The student's loop gets a model factory. Its models are the grader's: a recording stand-in with
# known outputs, or a real small Keras model. Each records what it was given (the rows and values
# passed to fit, to validation_data and to predict/evaluate/__call__), so the checks verify the
# data the loop produced, never the loop's source. In trusted grading the factory and its models
# stay in the grader and the sandbox calls them by reference (``__grading_remote__``).
CV_TOLERANCE = 1e-4  # standardized inputs and scores: float32 arithmetic in the student's code
_MODEL_METHODS = ("fit", "predict", "evaluate", "__call__")


def _as_float_matrix(value: Any, what: str) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - whatever the conversion raises becomes one TypeError
        raise TypeError(f"{what} should be a NumPy array of numbers, got {type(value).__name__}") from None
    return array


class _RecordedModel:
    """What a factory's model shares: the record of its fits and of the inputs it scored.

    ``fit`` trains (``_train_epoch``) and returns a History-like object whose ``.history`` holds the
    training and validation MSE (``loss``) and MAE (``mae``) of the model at the end of each epoch,
    as a model compiled with ``loss="mse", metrics=["mae"]`` reports them. ``predict`` and
    ``__call__`` return float32 arrays of shape (n, 1) (as Keras does); ``evaluate`` returns
    ``[loss, mae]`` (or a dict with ``return_dict=True``).
    """

    # Called by reference from the grading sandbox: the calls run (and are recorded) here.
    __grading_remote__: ClassVar[tuple[str, ...]] = _MODEL_METHODS
    kind = "model"

    def __init__(self, number: int, n_features: int):
        self.number, self.n_features = number, n_features
        self.fits: list[dict] = []  # x, y, validation (x, y) or None, epochs, batch_size, history
        self.scored: list[tuple[str, np.ndarray, int]] = []  # (method, x, fits before the call)

    def __repr__(self) -> str:
        return f"<{self.kind} #{self.number} from build_model()>"

    def _inputs(self, x: Any, method: str) -> np.ndarray:
        array = _as_float_matrix(x, f"the x passed to model.{method}")
        if array.ndim != 2 or array.shape[1] != self.n_features:
            raise ValueError(f"model.{method} expects inputs of shape (n, {self.n_features}), got {array.shape}")
        return array

    def _outputs(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _train_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> None:
        raise NotImplementedError

    def _errors(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        diff = self._outputs(x).astype(np.float64).reshape(-1) - y
        return float(np.mean(diff ** 2)), float(np.mean(np.abs(diff)))

    def fit(self, x: Any = None, y: Any = None, batch_size: Any = None, epochs: int = 1, verbose: Any = "auto",
            validation_data: Any = None, **kwargs: Any):
        from types import SimpleNamespace

        x = self._inputs(x, "fit")
        y = _as_float_matrix(y, "the y passed to model.fit").reshape(-1)
        if len(y) != len(x):
            raise ValueError(f"model.fit got {len(x)} inputs and {len(y)} targets")
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("validation_data should be a pair (x_val, y_val)")
            validation = (self._inputs(validation_data[0], "fit (validation_data)"),
                          _as_float_matrix(validation_data[1], "validation_data's y").reshape(-1))
        epochs, batch_size = int(epochs), int(batch_size or 32)
        curves: dict[str, list[float]] = {"loss": [], "mae": []}
        if validation is not None:
            curves.update(val_loss=[], val_mae=[])
        for _ in range(epochs):
            self._train_epoch(x, y, batch_size)
            for prefix, (part_x, part_y) in (("", (x, y)), ("val_", validation)):
                if part_x is not None:
                    loss, mae = self._errors(part_x, part_y)
                    curves[f"{prefix}loss"].append(loss)
                    curves[f"{prefix}mae"].append(mae)
        self.fits.append({"x": x, "y": y, "validation": validation, "epochs": epochs, "batch_size": batch_size,
                          "history": {key: list(values) for key, values in curves.items()}})
        return SimpleNamespace(history=curves, epoch=list(range(epochs)),
                               params={"epochs": epochs, "batch_size": batch_size, "verbose": verbose})

    def predict(self, x: Any, batch_size: Any = None, verbose: Any = "auto", **kwargs: Any) -> np.ndarray:
        x = self._inputs(x, "predict")
        self.scored.append(("predict", x, len(self.fits)))
        return self._outputs(x)

    def __call__(self, x: Any, training: Any = False, **kwargs: Any) -> np.ndarray:
        x = self._inputs(x, "__call__")
        self.scored.append(("__call__", x, len(self.fits)))
        return self._outputs(x)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: Any = None, verbose: Any = "auto",
                 return_dict: bool = False, **kwargs: Any):
        x = self._inputs(x, "evaluate")
        y = _as_float_matrix(y, "the y passed to model.evaluate").reshape(-1)
        if len(y) != len(x):
            raise ValueError(f"model.evaluate got {len(x)} inputs and {len(y)} targets")
        self.scored.append(("evaluate", x, len(self.fits)))
        loss, mae = self._errors(x, y)
        return {"loss": loss, "mae": mae} if return_dict else [loss, mae]


class StandInRegressor(_RecordedModel):
    """A stand-in regressor with known outputs: ``intercept + x @ weights``, where training sets the
    intercept to the mean of the targets it was given (0 before any training)."""

    kind = "stand-in model"

    def __init__(self, number: int, n_features: int, seed: int):
        if not 1 <= n_features <= 20:
            raise ValueError(f"n_features={n_features!r} out of the checks' range")
        super().__init__(number, n_features)
        self.weights = np.random.default_rng([seed, number]).uniform(0.5, 1.5, size=n_features)
        self.intercept = 0.0

    def _outputs(self, x: np.ndarray) -> np.ndarray:
        return (self.intercept + x @ self.weights).astype(np.float32).reshape(-1, 1)

    def _train_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> None:
        self.intercept = float(np.mean(y))


class SmallKerasRegressor(_RecordedModel):
    """A real Keras regressor (Dense(4, relu), Dense(1); Adam, MSE), initialized from ``seed``.

    ``fit`` trains with ``train_on_batch`` over the rows in the order given (no shuffling), run
    eagerly: on a few rows that is much faster than tracing ``fit``'s graph for every fresh model.
    """

    kind = "Keras model"

    def __init__(self, number: int, n_features: int, seed: int):
        if not 1 <= n_features <= 20:  # the checks' networks are tiny
            raise ValueError(f"n_features={n_features!r} out of the checks' range")
        super().__init__(number, n_features)
        keras = import_keras()
        init = (seed * 7919 + number) % 2**31
        with quiet():
            self.model = keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.Dense(4, activation="relu", kernel_initializer=keras.initializers.GlorotUniform(init)),
                keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(init + 1)),
            ])
            self.model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", run_eagerly=True)

    def _outputs(self, x: np.ndarray) -> np.ndarray:
        with quiet():
            return np.asarray(self.model(x.astype(np.float32), training=False), dtype=np.float32).reshape(-1, 1)

    def _train_epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> None:
        with quiet():
            for start in range(0, len(x), batch_size):
                self.model.train_on_batch(x[start:start + batch_size].astype(np.float32),
                                          y[start:start + batch_size].astype(np.float32))


class ModelFactory:
    """``build_model()``: each call returns a new model (``make(number)``) and keeps it for the checks."""

    # Called by reference from the grading sandbox; the models it returns go back by reference too.
    __grading_remote__: ClassVar[tuple[str, ...]] = ("__call__",)

    def __init__(self, make: Callable[[int], _RecordedModel], description: str):
        self.make, self.description = make, description
        self.built: list[_RecordedModel] = []

    def __repr__(self) -> str:
        return f"<build_model: {self.description}>"

    def __call__(self, *args: Any, **kwargs: Any) -> _RecordedModel:
        if args or kwargs:
            raise TypeError("build_model() takes no arguments: call build_model() once per fold")
        self.built.append(self.make(len(self.built)))
        return self.built[-1]


def _cv_data(seed: int, n_samples: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs on scales far from standardized (offsets and spreads per feature) and distinct targets
    (at least 0.4 apart, so the rows a model was given are known from the targets alone)."""
    if not (2 <= n_samples <= 1000 and 1 <= n_features <= 20):  # the checks' sizes are small
        raise ValueError(f"n_samples={n_samples!r}, n_features={n_features!r} out of the checks' range")
    rng = np.random.default_rng([seed, 2])
    scales = rng.uniform(0.5, 20.0, size=n_features)
    offsets = rng.uniform(-50.0, 50.0, size=n_features)
    x = rng.normal(size=(n_samples, n_features)) * scales + offsets
    y = 20.0 + 0.5 * rng.permutation(n_samples) + rng.uniform(0.0, 0.1, size=n_samples)
    return x, y


def _cv_folds(seed: int, n_samples: int, k: int) -> list[Split]:
    """Shuffled folds (unequal sizes when k does not divide n_samples), training parts sorted."""
    if not 2 <= k <= n_samples <= 1000:
        raise ValueError(f"k={k!r} folds of n_samples={n_samples!r} out of the checks' range")
    order = np.random.default_rng([seed, 3]).permutation(n_samples)
    folds = []
    for val_idx in np.array_split(order, k):
        folds.append((np.setdiff1d(np.arange(n_samples), val_idx), val_idx.copy()))
    return folds
