"""The Fashion-MNIST task that chapters 04-07 train on: one split, one network builder, cached runs.

Every experiment of the regularization chapters draws, for a seed, ``n_train`` training and
``n_val`` validation images from Fashion-MNIST's 60,000 training images (disjoint, pixels scaled
to [0, 1] and flattened to 784 features); the official 10,000 test images are kept for the one
final evaluation of chapter 05. A network is described by a :class:`NetworkSpec` (hidden sizes,
L1/L2 factor, dropout rate, batch normalization, activation, optimizer) and trained by
:func:`train`, which returns a :class:`Run` and caches it, so that the claims that compare the
same networks (the baseline of chapters 04, 05 and 06) train them once per seed.

Every model reports its plain cross-entropy as a metric (``crossentropy`` and
``val_crossentropy``): Keras's ``loss`` of a regularized model includes its penalty, which is a
training device, not a measure of how well the model predicts. Comparisons of validation loss use
``val_crossentropy``.

Sizes: :data:`FULL` is what the chapters quote (5,000 + 5,000 images, 40 epochs: about ten
seconds per network on two cores); :data:`FAST` keeps the notebooks quick under nbgrader and in
CI. When only the bundled subset of the data is found (4,000 training images), the split shrinks
to what is there and the split's ``note`` says so. The data itself comes from :mod:`course.data`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from course import runtime
from course.data import (
    FASHION_MNIST_CLASSES,
    IMDB_FILE_NAME,
    IMDB_LENGTH,
    IMDB_WORDS,
    Split,
    keras_cache_dir,
    load_fashion_split,
    load_imdb_split,
)
from course.spread import Spread

INPUT_DIM = 28 * 28
N_CLASSES = len(FASHION_MNIST_CLASSES)
# Keras's defaults; "sgd_momentum" is SGD with MOMENTUM (Geron's default), "nadam" Keras's Nadam
DEFAULT_LEARNING_RATES = {"adam": 1e-3, "sgd": 1e-2, "rmsprop": 1e-3, "sgd_momentum": 1e-2, "nadam": 1e-3}
MOMENTUM = 0.9
LEAKY_SLOPE = 0.2  # the LeakyReLU of the Keras settings notes
END_EPOCHS = 5  # "at the end of training": the mean of the last epochs, steadier than the last one alone


@dataclass(frozen=True)
class TaskSize:
    """How much data and how many epochs one run uses."""

    n_train: int
    n_val: int
    epochs: int
    batch_size: int = 128


FULL = TaskSize(n_train=5000, n_val=5000, epochs=40)
FAST = TaskSize(n_train=1000, n_val=1000, epochs=6)

# The book's IMDB setting (Chollet 4.4): 15,000 training and 10,000 validation reviews, 20 epochs,
# batch 512, RMSprop; the 10,000 most frequent words. Only when imdb.npz is in Keras's cache.
TASKS = ("fashion", "imdb")
IMDB_FULL = TaskSize(n_train=15000, n_val=10000, epochs=20, batch_size=512)
IMDB_FAST = TaskSize(n_train=1000, n_val=1000, epochs=6, batch_size=128)


def task_size(fast: bool | None = None, task: str = "fashion") -> TaskSize:
    """The full or fast size of ``task`` (``fast=None`` follows :func:`course.runtime.is_fast_mode`)."""
    fast = runtime.fast_mode(fast)
    if task == "imdb":
        return IMDB_FAST if fast else IMDB_FULL
    return FAST if fast else FULL


def imdb_is_cached() -> bool:
    """True when IMDB's file is in Keras's cache, so that ``task="imdb"`` runs offline."""
    return (keras_cache_dir() / IMDB_FILE_NAME).exists()


# ------------------------------------------------------------------------------------- data
def make_split(seed: int = 0, size: TaskSize = FULL, task: str = "fashion") -> Split:
    """``size.n_train`` training and ``size.n_val`` validation samples of ``task`` for ``seed``, and its
    test set: :func:`course.data.load_fashion_split` or, for ``task="imdb"``,
    :func:`course.data.load_imdb_split` (reviews as word indices, which the network multi-hots)."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    loader = load_imdb_split if task == "imdb" else load_fashion_split
    return loader(int(seed), size.n_train, size.n_val)


def as_images(x: np.ndarray) -> np.ndarray:
    """Rows of 784 pixels back to 28x28 images."""
    return np.asarray(x).reshape(-1, 28, 28)


def plot_examples(x: np.ndarray, y: np.ndarray, n_per_class: int = 2, seed: int = 0):
    """A grid of ``n_per_class`` images of every class (rows of 784 pixels or 28x28 images)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    rng = np.random.default_rng(seed)
    picks = [(label, int(rng.choice(np.flatnonzero(y == label)))) for label in range(N_CLASSES)
             for _ in range(n_per_class) if np.any(y == label)]
    with sns.axes_style("white"):
        fig, axes = plt.subplots(n_per_class, N_CLASSES, figsize=(1.3 * N_CLASSES, 1.5 * n_per_class), squeeze=False)
    for k, (label, row) in enumerate(picks):
        ax = axes[k % n_per_class, label]
        ax.imshow(np.asarray(x[row]).reshape(28, 28), cmap="gray_r", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if k % n_per_class == 0:
            ax.set_title(FASHION_MNIST_CLASSES[label], fontsize=8)
    fig.suptitle("Fashion-MNIST: two images of each class")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------- networks
@dataclass(frozen=True)
class NetworkSpec:
    """A Dense network on the 784 pixels: hidden sizes and what regularizes or normalizes it.

    With ``batch_norm`` each hidden block is Dense (no bias) -> BatchNormalization -> activation,
    the order of the Keras settings notes; ``dropout`` follows every hidden block.
    """

    hidden: tuple[int, ...] = (512, 512)
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    batch_norm: bool = False
    activation: str = "relu"
    optimizer: str = "adam"
    learning_rate: float | None = None
    task: str = "fashion"

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        if self.activation not in {"relu", "leaky_relu"}:
            raise ValueError(f"activation must be 'relu' or 'leaky_relu', got {self.activation!r}")
        if self.optimizer not in DEFAULT_LEARNING_RATES:
            raise ValueError(f"optimizer must be one of {sorted(DEFAULT_LEARNING_RATES)}, got {self.optimizer!r}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.l1 < 0 or self.l2 < 0:
            raise ValueError("regularization factors must be >= 0")

    @property
    def rate(self) -> float:
        """The learning rate: the given one or the optimizer's Keras default."""
        return DEFAULT_LEARNING_RATES[self.optimizer] if self.learning_rate is None else self.learning_rate

    def kernel_regularizer(self):
        """Keras's L1, L2 or L1L2 regularizer for the hidden kernels, or None."""
        keras = runtime.import_keras()
        if self.l1 and self.l2:
            return keras.regularizers.L1L2(l1=self.l1, l2=self.l2)
        if self.l1:
            return keras.regularizers.L1(self.l1)
        if self.l2:
            return keras.regularizers.L2(self.l2)
        return None


BASELINE = NetworkSpec()


def make_optimizer(name: str, learning_rate: float):
    """Keras's optimizer called ``name`` (a key of :data:`DEFAULT_LEARNING_RATES`) at ``learning_rate``,
    with Keras's other defaults (``"sgd_momentum"``: SGD with momentum :data:`MOMENTUM`)."""
    keras = runtime.import_keras()
    if name == "sgd_momentum":
        return keras.optimizers.SGD(learning_rate, momentum=MOMENTUM)
    return {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop,
            "nadam": keras.optimizers.Nadam}[name](learning_rate)


def build_network(spec: NetworkSpec, input_dim: int = INPUT_DIM, n_classes: int = N_CLASSES,
                  kernel_regularizer: Any = None):
    """The compiled Keras model of ``spec``: softmax output, sparse cross-entropy, accuracy metric.

    ``kernel_regularizer`` (a Keras regularizer) replaces the one ``spec`` describes on every
    hidden layer: chapter 05 plugs in a regularizer built from the student's penalty.
    """
    keras = runtime.import_keras()
    binary = spec.task == "imdb"
    if binary:  # word indices in, a multi-hot bag of words (the book's vectorized reviews) first
        layers: list[Any] = [keras.Input(shape=(IMDB_LENGTH,), dtype="int32"),
                             keras.layers.CategoryEncoding(num_tokens=IMDB_WORDS, output_mode="multi_hot")]
    else:
        layers = [keras.Input(shape=(input_dim,))]
    for units in spec.hidden:
        regularizer = kernel_regularizer if kernel_regularizer is not None else spec.kernel_regularizer()
        if spec.batch_norm:
            layers += [keras.layers.Dense(units, use_bias=False, kernel_regularizer=regularizer),
                       keras.layers.BatchNormalization()]
        else:
            layers.append(keras.layers.Dense(units, kernel_regularizer=regularizer))
        layers.append(keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE) if spec.activation == "leaky_relu"
                      else keras.layers.Activation("relu"))
        if spec.dropout:
            layers.append(keras.layers.Dropout(spec.dropout))
    layers.append(keras.layers.Dense(1, activation="sigmoid") if binary
                  else keras.layers.Dense(n_classes, activation="softmax"))
    model = keras.Sequential(layers)
    optimizer = make_optimizer(spec.optimizer, spec.rate)
    if binary:
        model.compile(optimizer=optimizer, loss="binary_crossentropy",
                      metrics=["accuracy", keras.metrics.BinaryCrossentropy(name="crossentropy")])
    else:
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy", keras.metrics.SparseCategoricalCrossentropy(name="crossentropy")])
    return model


# -------------------------------------------------------------------------------------- runs
@dataclass
class Run:
    """One trained network: its spec, seed, size, per-epoch history and the model itself."""

    spec: NetworkSpec
    seed: int
    size: TaskSize
    history: dict[str, list[float]]
    model: Any = field(repr=False)
    seconds: float = 0.0

    @property
    def train_ce(self) -> np.ndarray:
        return np.asarray(self.history["crossentropy"])

    @property
    def val_ce(self) -> np.ndarray:
        return np.asarray(self.history["val_crossentropy"])

    @property
    def val_accuracy(self) -> np.ndarray:
        return np.asarray(self.history["val_accuracy"])

    @property
    def best_epoch(self) -> int:
        """Epoch (from 1) of the lowest validation cross-entropy; the first one on ties."""
        return int(np.argmin(self.val_ce)) + 1

    @property
    def min_val_ce(self) -> float:
        return float(np.min(self.val_ce))

    @property
    def final_val_ce(self) -> float:
        return float(self.val_ce[-1])

    @property
    def final_val_accuracy(self) -> float:
        return float(self.val_accuracy[-1])

    @property
    def end_val_ce(self) -> float:
        """Mean validation cross-entropy of the last ``END_EPOCHS`` epochs: where training ended,
        without the epoch-to-epoch jitter of Adam on an overfitting network."""
        return float(np.mean(self.val_ce[-END_EPOCHS:]))

    @property
    def end_val_accuracy(self) -> float:
        """Mean validation accuracy of the last ``END_EPOCHS`` epochs."""
        return float(np.mean(self.val_accuracy[-END_EPOCHS:]))

    @property
    def final_train_ce(self) -> float:
        return float(self.train_ce[-1])

    @property
    def gap(self) -> float:
        """Final validation minus final training cross-entropy."""
        return self.final_val_ce - self.final_train_ce

    def hidden_kernels(self) -> list[np.ndarray]:
        """The kernels of the hidden Dense layers (not the output layer)."""
        keras = runtime.import_keras()
        dense = [layer for layer in self.model.layers if isinstance(layer, keras.layers.Dense)]
        return [np.asarray(layer.kernel) for layer in dense[:-1]]

    def weight_norm(self) -> float:
        """Euclidean norm of all hidden kernels together."""
        return float(np.sqrt(sum(float(np.sum(np.square(k))) for k in self.hidden_kernels())))

    def test_scores(self) -> tuple[float, float]:
        """Cross-entropy (no penalty) and accuracy on the official test images: for the one final
        evaluation of a setting chosen on validation."""
        split = make_split(self.seed, self.size, self.spec.task)
        with runtime.quiet_native_stderr():
            probabilities = np.asarray(self.model.predict(split.x_test, batch_size=1000, verbose=0), dtype=np.float64)
        if probabilities.shape[1] == 1:  # one sigmoid unit: P(class 1)
            probabilities = np.concatenate([1 - probabilities, probabilities], axis=1)
        labels = np.asarray(split.y_test).reshape(-1).astype(np.int64)
        picked = probabilities[np.arange(len(labels)), labels]
        return (float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0)))),
                float(np.mean(probabilities.argmax(axis=1) == labels)))


_RUNS: dict[tuple[NetworkSpec, int, TaskSize], Run] = {}


def train(spec: NetworkSpec = BASELINE, seed: int = 0, size: TaskSize | None = None, *,
          verbose: int = 0, callbacks: Sequence[Any] = ()) -> Run:
    """Train ``spec`` on the split of ``seed`` and return the :class:`Run`.

    Runs without callbacks are cached per ``(spec, seed, size)`` for the process, so experiments
    that share a network train it once. The model is seeded with ``seed`` before it is built.
    """
    size = task_size(task=spec.task) if size is None else size
    key = (spec, int(seed), size)
    if not callbacks and key in _RUNS:
        return _RUNS[key]
    split = make_split(int(seed), size, spec.task)
    runtime.import_keras()  # seed_everything seeds Keras only once it is imported: the first run too
    runtime.seed_everything(int(seed))
    started = time.perf_counter()
    with runtime.quiet_native_stderr():
        model = build_network(spec)
        fitted = model.fit(split.x_train, split.y_train, validation_data=(split.x_val, split.y_val),
                           epochs=size.epochs, batch_size=size.batch_size, verbose=verbose,
                           callbacks=list(callbacks))
    run = Run(spec, int(seed), size, {k: [float(v) for v in vals] for k, vals in fitted.history.items()},
              model, time.perf_counter() - started)
    if not callbacks:
        _RUNS[key] = run
    return run


def over_seeds(spec: NetworkSpec, seeds: Sequence[int], size: TaskSize | None = None) -> list[Run]:
    """:func:`train` once per seed."""
    return [train(spec, int(seed), size) for seed in seeds]


def spread_of(runs: Sequence[Run], figure: str) -> Spread:
    """A :class:`Run` property (``"final_val_ce"``, ``"best_epoch"``, ...) over the runs, as a Spread."""
    values = [getattr(run, figure) for run in runs]
    return Spread.of(value() if callable(value) else value for value in values)


def with_size(size: TaskSize, **changes: int) -> TaskSize:
    """``size`` with some fields changed (``with_size(FULL, epochs=40)``)."""
    return replace(size, **changes)
