"""Chapter 05 experiments: weight regularization (L1, L2, L1+L2) against a baseline and dropout.

The data set is the bundled digits set made easy to overfit: only a few hundred training
samples, and ``N_NOISE_FEATURES`` extra columns of uniform noise that carry no information but
give a large network plenty to memorize. Every model has the same architecture (two Dense
layers of ``UNITS`` ReLU units and a softmax output) and differs only in its regularization.

Keras's ``loss`` and ``val_loss`` of a regularized model include its penalty. The penalty is a
training device, not part of how well the model predicts, so every model also reports its plain
cross-entropy (``crossentropy`` / ``val_crossentropy``); the validation comparisons (claims 3
and 5, and chapter 06's claim 6) use ``val_crossentropy``, claim 4 uses the training ``loss``
with its penalty.

Runs are cached per ``(seed, fast)`` in :data:`_RUN_CACHE`, so claims 3, 4 and 5 share their
training runs. Claim 8 is pure NumPy and exact.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from course import runtime
from course.data import load_digits_split

UNITS = 64
N_NOISE_FEATURES = 64
REG_FACTOR = 1e-3  # the book's factor for l1, l2 and l1_l2 on IMDB
DROPOUT_RATE = 0.5
LABEL_NOISE = 0.2  # share of training labels replaced by a random class
NEAR_ZERO = 1e-3  # |w| below this counts as "near zero" in the sparsity share
LEARNING_RATE = 5e-3  # large enough that the baseline overfits within the epochs
MODEL_NAMES = ("baseline", "L1", "L2", "L1+L2", "dropout")
VAL_DATA_LOSS = "val_crossentropy"  # validation cross-entropy without the penalty


def sizes(fast: bool | None = None) -> dict[str, int]:
    """Training samples and epochs of the comparison (full size quoted in the text)."""
    fast = runtime.is_fast_mode() if fast is None else fast
    if fast:
        return {"n_train": 120, "epochs": 15, "batch_size": 16}
    return {"n_train": 150, "epochs": 50, "batch_size": 16}


# ---------------------------------------------------------------------------- data
@dataclass
class NoisyDigits:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def load_noisy_digits(seed: int = 0, n_train: int = 150, n_noise: int = N_NOISE_FEATURES,
                      label_noise: float = LABEL_NOISE) -> NoisyDigits:
    """Digits with only ``n_train`` training samples and ``n_noise`` uniform-noise features.

    A share ``label_noise`` of the training labels is replaced by a random class (validation
    labels stay clean), so memorizing the training set hurts validation.

    The validation part is the full validation split of :func:`course.data.load_digits_split`
    (359 samples), with its own noise columns. Features stay in [0, 1].
    """
    split = load_digits_split(seed)
    if not 10 <= n_train <= len(split.x_train):
        raise ValueError(f"n_train must be in 10..{len(split.x_train)}, got {n_train}")
    rng = np.random.default_rng(seed)

    def with_noise(x: np.ndarray) -> np.ndarray:
        noise = rng.uniform(0.0, 1.0, size=(len(x), n_noise)).astype(np.float32)
        return np.concatenate([x, noise], axis=1).astype(np.float32)

    y_train = split.y_train[:n_train].copy()
    flip = rng.random(n_train) < label_noise
    y_train[flip] = rng.integers(0, 10, size=int(flip.sum()))
    return NoisyDigits(with_noise(split.x_train[:n_train]), y_train,
                       with_noise(split.x_val), split.y_val)


# ---------------------------------------------------------------------------- models
def regularizer_for(name: str, factor: float = REG_FACTOR):
    """The Keras kernel regularizer of model ``name`` (None for baseline and dropout)."""
    keras = runtime.import_keras()
    return {
        "baseline": None,
        "dropout": None,
        "L1": keras.regularizers.l1(factor),
        "L2": keras.regularizers.l2(factor),
        "L1+L2": keras.regularizers.l1_l2(l1=factor, l2=factor),
    }[name]


def build_model(name: str, n_features: int, n_classes: int = 10, units: int = UNITS,
                factor: float = REG_FACTOR, kernel_regularizer: Any = None):
    """Two hidden ReLU layers of ``units`` and a softmax output; only the regularization varies.

    ``kernel_regularizer`` overrides the regularizer of ``name`` (used to plug in a custom
    :func:`penalty_regularizer`).
    """
    keras = runtime.import_keras()
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model {name!r}; choose one of {MODEL_NAMES}")
    regularizer = kernel_regularizer if kernel_regularizer is not None else regularizer_for(name, factor)
    # functools.partial: the settings every hidden layer shares, written once.
    HiddenDense = functools.partial(keras.layers.Dense, units, activation="relu",
                                    kernel_regularizer=regularizer)
    layers: list = [keras.Input(shape=(n_features,)), HiddenDense()]
    if name == "dropout":
        layers.append(keras.layers.Dropout(DROPOUT_RATE))
    layers.append(HiddenDense())
    if name == "dropout":
        layers.append(keras.layers.Dropout(DROPOUT_RATE))
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    model = keras.Sequential(layers)
    # The metric repeats the loss without the penalty, so models compare on prediction quality.
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.SparseCategoricalCrossentropy(name="crossentropy")])
    return model


def hidden_kernels(model) -> list[np.ndarray]:
    """The kernels of the hidden Dense layers (the regularized ones), as NumPy arrays."""
    dense = [layer for layer in model.layers if layer.__class__.__name__ == "Dense"]
    return [np.asarray(layer.kernel) for layer in dense[:-1]]


@dataclass
class ComparisonRun:
    """One seed's training of every model: Keras histories and final hidden kernels."""

    seed: int
    histories: dict[str, Any] = field(default_factory=dict)
    kernels: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def curve(self, name: str, key: str = VAL_DATA_LOSS) -> np.ndarray:
        """Per-epoch values of ``key`` for model ``name`` (default: validation cross-entropy)."""
        return np.asarray(self.histories[name].history[key], dtype=float)


_RUN_CACHE: dict[tuple, ComparisonRun] = {}


def run_comparison(seed: int = 0, fast: bool | None = None, names: Sequence[str] = MODEL_NAMES,
                   use_cache: bool = True) -> ComparisonRun:
    """Train every model in ``names`` on the noisy digits of ``seed`` (cached per seed and size)."""
    fast = runtime.is_fast_mode() if fast is None else fast
    size = sizes(fast)
    key = (int(seed), bool(fast), tuple(names))
    if use_cache and key in _RUN_CACHE:
        return _RUN_CACHE[key]
    data = load_noisy_digits(seed, size["n_train"])
    run = ComparisonRun(int(seed))
    runtime.import_keras()
    for name in names:
        runtime.seed_everything(int(seed))  # same initial weights for every model of this seed
        with runtime.quiet_native_stderr():
            model = build_model(name, data.x_train.shape[1])
            history = model.fit(data.x_train, data.y_train, epochs=size["epochs"],
                                batch_size=size["batch_size"],
                                validation_data=(data.x_val, data.y_val), verbose=0)
        run.histories[name] = history
        run.kernels[name] = hidden_kernels(model)
    if use_cache:
        _RUN_CACHE[key] = run
    return run


# ---------------------------------------------------------------------------- measures
def near_zero_share(kernels: Sequence[np.ndarray], threshold: float = NEAR_ZERO) -> float:
    """Fraction of kernel entries with ``|w| < threshold``."""
    flat = np.concatenate([np.ravel(k) for k in kernels])
    return float(np.mean(np.abs(flat) < threshold))


def val_loss_rise(val_losses: Sequence[float]) -> float:
    """How far the validation loss climbed after its minimum: final value minus minimum."""
    values = np.asarray(val_losses, dtype=float)
    return float(values[-1] - values.min())


def weights_frame(kernels_by_model: dict[str, Sequence[np.ndarray]]) -> pd.DataFrame:
    """Long table (model, weight) of every hidden kernel entry, for seaborn."""
    rows = [pd.DataFrame({"model": name, "weight": np.concatenate([np.ravel(k) for k in kernels])})
            for name, kernels in kernels_by_model.items()]
    return pd.concat(rows, ignore_index=True)


def plot_weight_histograms(kernels_by_model: dict[str, Sequence[np.ndarray]], *,
                           threshold: float = NEAR_ZERO, bins: int = 80, clip: float = 0.3,
                           title: str | None = None) -> plt.Figure:
    """One histogram per model of its hidden-layer weights, with the near-zero share in the title."""
    frame = weights_frame(kernels_by_model)
    frame["weight"] = frame["weight"].clip(-clip, clip)
    names = list(kernels_by_model)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, names):
        sns.histplot(frame[frame["model"] == name], x="weight", bins=bins, stat="proportion",
                     ax=ax, color=sns.color_palette()[names.index(name) % 10])
        share = near_zero_share(kernels_by_model[name], threshold)
        ax.set_title(f"{name}: {share:.0%} with |w| < {threshold:g}")
        ax.set_xlabel(f"weight (clipped to ±{clip})")
        ax.set_ylabel("share of weights")
    fig.suptitle(title or "Hidden-layer weights after training")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------- custom regularizer
_REGULARIZER_CLASS: list = []


def _regularizer_class():
    """Define the Keras ``Regularizer`` subclass on first use (Keras is imported lazily)."""
    if _REGULARIZER_CLASS:
        return _REGULARIZER_CLASS[0]
    keras = runtime.import_keras()
    import tensorflow as tf

    class PenaltyRegularizer(keras.regularizers.Regularizer):
        """A kernel regularizer whose value comes from a NumPy ``penalty(w)`` function.

        Keras needs the penalty's gradient too; NumPy code is invisible to automatic
        differentiation, so the gradient comes from ``gradient(w)`` (also NumPy). Both run
        through ``tf.numpy_function`` inside a ``tf.custom_gradient``.
        """

        def __init__(self, penalty: Callable[[np.ndarray], float],
                     gradient: Callable[[np.ndarray], np.ndarray]):
            self.penalty = penalty
            self.gradient = gradient

        def __call__(self, x):
            penalty, gradient = self.penalty, self.gradient

            def value_of(w):
                return np.asarray(penalty(w), dtype=w.dtype).reshape(())

            def grad_of(w):
                return np.asarray(gradient(w), dtype=w.dtype).reshape(w.shape)

            @tf.custom_gradient
            def apply(w):
                value = tf.numpy_function(value_of, [w], w.dtype)
                value.set_shape(())

                def backward(upstream):
                    g = tf.numpy_function(grad_of, [w], w.dtype)
                    g.set_shape(w.shape)
                    return upstream * g

                return value, backward

            return apply(tf.convert_to_tensor(x))

        def get_config(self):
            return {}

    _REGULARIZER_CLASS.append(PenaltyRegularizer)
    return PenaltyRegularizer


def penalty_regularizer(penalty: Callable[[np.ndarray], float],
                        gradient: Callable[[np.ndarray], np.ndarray]):
    """A Keras ``Regularizer`` built from NumPy ``penalty(w)`` and its ``gradient(w)``."""
    return _regularizer_class()(penalty, gradient)


def compare_custom_with_keras_l2(custom_regularizer, factor: float = 0.01, seed: int = 0,
                                 epochs: int = 3, n_train: int = 200) -> pd.DataFrame:
    """Train the baseline architecture twice from the same initial weights: once with
    ``keras.regularizers.L2(factor)`` and once with ``custom_regularizer``; return the
    per-epoch training losses side by side (they include the penalty)."""
    keras = runtime.import_keras()
    data = load_noisy_digits(seed, n_train)
    losses = {}
    for label, regularizer in (("keras L2", keras.regularizers.L2(factor)),
                               ("custom", custom_regularizer)):
        runtime.seed_everything(seed)
        with runtime.quiet_native_stderr():
            model = build_model("L2", data.x_train.shape[1], kernel_regularizer=regularizer)
            history = model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=32,
                                shuffle=False, verbose=0)
        losses[label] = history.history["loss"]
    frame = pd.DataFrame(losses)
    frame.index = pd.RangeIndex(1, epochs + 1, name="epoch")
    frame["difference"] = (frame["custom"] - frame["keras L2"]).abs()
    return frame


# ---------------------------------------------------------------------------- claim 8 (exact)
def decay_form_difference(seed: int, shape: tuple[int, int] = (5, 4), m: int = 50, lambd: float = 0.7,
                          learning_rate: float = 0.1) -> float:
    """Largest difference between one gradient step on the penalized loss,
    ``W - lr * (dW + lambd/m * W)``, and the weight-decay form ``W * (1 - lr*lambd/m) - lr*dW``,
    on random ``W`` and ``dW`` of ``shape`` drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=shape)
    dW = rng.normal(size=shape)
    gradient_step = W - learning_rate * (dW + (lambd / m) * W)
    decay_form = W * (1 - learning_rate * lambd / m) - learning_rate * dW
    return float(np.max(np.abs(gradient_step - decay_form)))


def _penalized_gradient_by_finite_differences(W, dW, lambd, m, eps=1e-6) -> np.ndarray:
    """Gradient of <dW, W> + lambd/(2m)||W||^2 (a loss whose data gradient is dW), numerically."""
    def loss(V):
        return float(np.sum(dW * V) + lambd / (2 * m) * np.sum(V ** 2))

    grad = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        plus, minus = W.copy(), W.copy()
        plus[idx] += eps
        minus[idx] -= eps
        grad[idx] = (loss(plus) - loss(minus)) / (2 * eps)
    return grad


def measure_claim_8(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 8: a gradient step on loss + lambda/(2m)||W||^2 equals the weight-decay form."""
    diffs, fd_errors = [], []
    for seed in seeds:
        rng = np.random.default_rng(1000 + seed)
        m = int(rng.integers(10, 500))
        lambd = float(rng.uniform(0.01, 5))
        lr = float(rng.uniform(0.001, 0.5))
        shape = (int(rng.integers(2, 8)), int(rng.integers(2, 8)))
        diffs.append(decay_form_difference(seed, shape, m, lambd, lr))
        W, dW = rng.normal(size=shape), rng.normal(size=shape)
        numeric = _penalized_gradient_by_finite_differences(W, dW, lambd, m)
        fd_errors.append(float(np.max(np.abs(numeric - (dW + lambd / m * W)))))
    max_diff, max_fd = max(diffs), max(fd_errors)
    held = max_diff <= 1e-12 and max_fd <= 1e-5
    summary = (f"max |gradient step - decay form| = {max_diff:.1e}; the penalty's gradient "
               f"(lambda/m) W matches finite differences to {max_fd:.1e}")
    return held, {"max_step_difference": max_diff, "max_gradient_error": max_fd}, summary


# ---------------------------------------------------------------------------- claims 3, 4, 5
def _runs(seeds: Sequence[int], fast: bool) -> list[ComparisonRun]:
    return [run_comparison(seed, fast) for seed in seeds]


def measure_claim_3(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 3: at equal architecture, L2 ends with a lower validation loss than no regularization.

    The validation loss compared is the cross-entropy without the penalty (the penalty is a
    training device); held when L2's final value is lower on average and in most seeds. The
    figures also give Keras's ``val_loss``, which includes the penalty.
    """
    runs = _runs(seeds, fast)
    base = np.array([r.curve("baseline")[-1] for r in runs])
    l2 = np.array([r.curve("L2")[-1] for r in runs])
    l2_with_penalty = np.array([r.curve("L2", "val_loss")[-1] for r in runs])
    wins = int(np.sum(l2 < base))
    held = bool(l2.mean() < base.mean() and wins > len(runs) / 2)
    figures = {"final_val_loss_baseline": float(base.mean()), "final_val_loss_l2": float(l2.mean()),
               "final_val_loss_l2_with_penalty": float(l2_with_penalty.mean()),
               "seeds_where_l2_lower": wins}
    summary = (f"final validation cross-entropy: baseline {base.mean():.3f}, L2 {l2.mean():.3f} "
               f"(mean over seeds; {l2_with_penalty.mean():.3f} with L2's penalty); "
               f"L2 lower in {wins}/{len(runs)} seeds")
    return held, figures, summary


def measure_claim_4(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 4: L1's loss is high from the start; its kernels hold more near-zero weights than L2's."""
    runs = _runs(seeds, fast)
    first = {name: np.array([r.curve(name, "loss")[0] for r in runs]) for name in ("baseline", "L1", "L2")}
    share_l1 = np.array([near_zero_share(r.kernels["L1"]) for r in runs])
    share_l2 = np.array([near_zero_share(r.kernels["L2"]) for r in runs])
    high_start = bool(np.all(first["L1"] > first["L2"]) and np.all(first["L1"] > first["baseline"]))
    sparser = bool(np.all(share_l1 > share_l2))
    held = high_start and sparser
    figures = {"first_epoch_loss_baseline": float(first["baseline"].mean()),
               "first_epoch_loss_l1": float(first["L1"].mean()),
               "first_epoch_loss_l2": float(first["L2"].mean()),
               "near_zero_share_l1": float(share_l1.mean()), "near_zero_share_l2": float(share_l2.mean())}
    summary = (f"first-epoch training loss: L1 {first['L1'].mean():.2f}, L2 {first['L2'].mean():.2f}, "
               f"baseline {first['baseline'].mean():.2f}; share of |w| < {NEAR_ZERO:g}: "
               f"L1 {share_l1.mean():.1%}, L2 {share_l2.mean():.1%}")
    return held, figures, summary


def measure_claim_5(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 5: among baseline, L1, L2, L1+L2 and dropout, L2's validation loss rises the slowest.

    "Rises" is measured as the climb after the minimum: final validation cross-entropy minus its
    minimum, averaged over seeds.
    """
    runs = _runs(seeds, fast)
    rise = {name: float(np.mean([val_loss_rise(r.curve(name)) for r in runs])) for name in MODEL_NAMES}
    slowest = min(rise, key=rise.get)
    held = slowest == "L2"
    figures = {f"val_loss_rise_{name.lower().replace('+', '_')}": value for name, value in rise.items()}
    summary = ("rise of validation cross-entropy after its minimum: "
               + ", ".join(f"{name} {value:.3f}" for name, value in rise.items())
               + f"; slowest: {slowest}")
    return held, figures, summary
