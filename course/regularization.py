"""Chapter 05 experiments: weight regularization (L1, L2, L1+L2) against a baseline and dropout.

Every model is the same 784-512-512-10 ReLU network on Fashion-MNIST (:mod:`course.fashion`:
5,000 training and 5,000 validation images per seed, Adam, 40 epochs) and differs only in its
regularization: the book's factor 1e-3 for L1, L2 and L1+L2 on the hidden kernels, or dropout
0.5 after each hidden layer.

Keras's ``loss`` and ``val_loss`` of a regularized model include its penalty. The penalty is a
training device, not part of how well the model predicts, so every model also reports its plain
cross-entropy (``crossentropy`` / ``val_crossentropy``); the validation comparisons (claims 3,
5, 16 and chapter 06's 6 and 17) use ``val_crossentropy``, claim 4 uses the training ``loss``
with its penalty. Runs are cached by :func:`course.fashion.train`, so the claims share them.
Claim 8 is pure NumPy and exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from course import fashion, runtime
from course.spread import Spread, clearly_below, consistently_positive, figures_of, labelled, paired_effect
from course.sweeps import ChosenSetting as ChosenSetting  # re-exported: the notebooks import these from here
from course.sweeps import choose_on_validation as choose_on_validation
from course.sweeps import is_u_shaped, sweep_figures, sweep_spreads

REG_FACTOR = 1e-3  # the book's factor for l1, l2 and l1_l2 on IMDB
DROPOUT_RATE = 0.5
NEAR_ZERO = 1e-3  # |w| below this counts as "near zero" in the sparsity share
VAL_DATA_LOSS = "val_crossentropy"  # validation cross-entropy without the penalty
MODELS: dict[str, fashion.NetworkSpec] = {
    "baseline": fashion.BASELINE,
    "L1": fashion.NetworkSpec(l1=REG_FACTOR),
    "L2": fashion.NetworkSpec(l2=REG_FACTOR),
    "L1+L2": fashion.NetworkSpec(l1=REG_FACTOR, l2=REG_FACTOR),
    "dropout": fashion.NetworkSpec(dropout=DROPOUT_RATE),
}
MODEL_NAMES = tuple(MODELS)


def models_for(task: str = "fashion") -> dict[str, fashion.NetworkSpec]:
    """The five models of ``task``: on IMDB the book's 16-16 network with RMSprop."""
    if task == "fashion":
        return MODELS
    return {name: replace(spec, hidden=(16, 16), optimizer="rmsprop", task=task) for name, spec in MODELS.items()}
L2_SWEEP = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)  # claim 16: from no penalty to far too much


def sizes(fast: bool | None = None) -> fashion.TaskSize:
    """Images and epochs of the comparison (the full size is what the text quotes)."""
    return fashion.task_size(fast)


# ---------------------------------------------------------------------------- runs
@dataclass
class ComparisonRun:
    """One seed's training of every model: the :class:`course.fashion.Run` of each."""

    seed: int
    runs: dict[str, fashion.Run]

    @property
    def histories(self) -> dict[str, dict[str, list[float]]]:
        return {name: run.history for name, run in self.runs.items()}

    @property
    def kernels(self) -> dict[str, list[np.ndarray]]:
        return {name: run.hidden_kernels() for name, run in self.runs.items()}

    def curve(self, name: str, key: str = VAL_DATA_LOSS) -> np.ndarray:
        """Per-epoch values of ``key`` for model ``name`` (default: validation cross-entropy)."""
        return np.asarray(self.runs[name].history[key], dtype=float)


def run_comparison(seed: int = 0, fast: bool | None = None, names: Sequence[str] = MODEL_NAMES,
                   verbose: int = 0, task: str = "fashion") -> ComparisonRun:
    """Train every model in ``names`` on the split of ``seed`` (each seeded alike, cached)."""
    unknown = set(names) - set(MODELS)
    if unknown:
        raise ValueError(f"unknown models {sorted(unknown)}; choose from {MODEL_NAMES}")
    size, specs = fashion.task_size(fast, task), models_for(task)
    return ComparisonRun(int(seed), {name: fashion.train(specs[name], seed, size, verbose=verbose)
                                     for name in names})


def hidden_kernels(model) -> list[np.ndarray]:
    """The kernels of the hidden Dense layers (the regularized ones), as NumPy arrays."""
    dense = [layer for layer in model.layers if layer.__class__.__name__ == "Dense"]
    return [np.asarray(layer.kernel) for layer in dense[:-1]]


# ---------------------------------------------------------------------------- measures
def near_zero_share(kernels: Sequence[np.ndarray], threshold: float = NEAR_ZERO) -> float:
    """Fraction of kernel entries with ``|w| < threshold``."""
    flat = np.concatenate([np.ravel(k) for k in kernels])
    return float(np.mean(np.abs(flat) < threshold))


def val_loss_rise(val_losses: Sequence[float], end_epochs: int = fashion.END_EPOCHS) -> float:
    """How far the validation loss climbed after its minimum: its mean over the last
    ``end_epochs`` epochs minus its lowest value before them (0 when it never rose, as for a curve
    still falling at the end). A curve of at most ``end_epochs`` values: its last value minus its
    minimum."""
    values = np.asarray(val_losses, dtype=float)
    if len(values) <= end_epochs:
        return float(values[-1] - values.min())
    return float(max(values[-end_epochs:].mean() - values[:-end_epochs].min(), 0.0))


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


def compare_custom_with_keras_l2(custom_regularizer, factor: float = 1e-3, seed: int = 0,
                                 epochs: int = 3, n_train: int = 500) -> pd.DataFrame:
    """Train the baseline architecture twice from the same initial weights: once with
    ``keras.regularizers.L2(factor)`` and once with ``custom_regularizer``; return the
    per-epoch training losses side by side (they include the penalty)."""
    keras = runtime.import_keras()
    split = fashion.make_split(seed, fashion.FAST)
    x, y = split.x_train[:n_train], split.y_train[:n_train]
    losses = {}
    for label, regularizer in (("keras L2", keras.regularizers.L2(factor)),
                               ("custom", custom_regularizer)):
        runtime.seed_everything(seed)
        with runtime.quiet_native_stderr():
            model = fashion.build_network(fashion.BASELINE, kernel_regularizer=regularizer)
            history = model.fit(x, y, epochs=epochs, batch_size=32, shuffle=False, verbose=0)
        losses[label] = history.history["loss"]
    frame = pd.DataFrame(losses)
    frame.index = pd.RangeIndex(1, epochs + 1, name="epoch")
    frame["difference"] = (frame["custom"] - frame["keras L2"]).abs()
    return frame


def train_built_network(model, seed: int = 0, size: fashion.TaskSize | None = None) -> dict[str, list[float]]:
    """Compile ``model`` as the comparison compiles its networks (Adam at its default rate, sparse
    cross-entropy, accuracy and the plain cross-entropy as metrics) and train it on the Fashion-MNIST
    split of ``seed`` for the comparison's epochs; the per-epoch history. For a network the student
    built: the comparison's own runs are :func:`run_comparison`'s."""
    keras = runtime.import_keras()
    size = sizes() if size is None else size
    split = fashion.make_split(seed, size)
    model.compile(optimizer=keras.optimizers.Adam(fashion.DEFAULT_LEARNING_RATES["adam"]),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.SparseCategoricalCrossentropy(name="crossentropy")])
    with runtime.quiet_native_stderr():
        fitted = model.fit(split.x_train, split.y_train, validation_data=(split.x_val, split.y_val),
                           epochs=size.epochs, batch_size=size.batch_size, verbose=0)
    return {key: [float(v) for v in values] for key, values in fitted.history.items()}


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
    # Central differences written here, not imported: the grader's generic copy
    # (autograder.checks._common.numerical_gradient) is out of reach, since course never imports the
    # checks, and a generic one here would hand the graded gradient_check its numerical gradient
    # (students import course). This one knows a single loss, so it helps no graded function.
    def loss(V):
        return float(np.sum(dW * V) + lambd / (2 * m) * np.sum(V ** 2))

    grad = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        plus, minus = W.copy(), W.copy()
        plus[idx] += eps
        minus[idx] -= eps
        grad[idx] = (loss(plus) - loss(minus)) / (2 * eps)
    return grad


def weight_decay_step_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
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


def end_figures(comparisons: Sequence[ComparisonRun], name: str) -> dict[str, Spread]:
    """Validation cross-entropy and accuracy of model ``name`` at the end of training (mean of the
    last epochs, :attr:`course.fashion.Run.end_val_ce`) over the seeds."""
    runs = [c.runs[name] for c in comparisons]
    return {"val_ce": fashion.spread_of(runs, "end_val_ce"),
            "val_accuracy": fashion.spread_of(runs, "end_val_accuracy")}


def l2_lowers_final_val_loss_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 3: at equal architecture, L2 ends with a lower validation loss than no regularization.

    The validation loss compared is the cross-entropy without the penalty, at the end of training
    (mean of the last epochs); held when L2's is lower in every seed (the paired effect's range
    excludes zero). Accuracy is reported beside it: the price or gain the student sees.
    """
    runs = _runs(seeds, fast)
    base, l2 = end_figures(runs, "baseline"), end_figures(runs, "L2")
    gain = paired_effect(base["val_ce"], l2["val_ce"])
    accuracy_gain = paired_effect(l2["val_accuracy"], base["val_accuracy"])
    figures = {**base["val_ce"].figures("baseline_end_val_ce"), **l2["val_ce"].figures("l2_end_val_ce"),
               **base["val_accuracy"].figures("baseline_end_val_accuracy"),
               **l2["val_accuracy"].figures("l2_end_val_accuracy"), **gain.figures("l2_lower_by"),
               **accuracy_gain.figures("l2_accuracy_gain")}
    summary = (f"validation cross-entropy at the end (mean of the last {fashion.END_EPOCHS} epochs): baseline "
               f"{base['val_ce']}, L2 {REG_FACTOR:g} {l2['val_ce']}; L2 lower by {gain} (paired by seed); "
               f"accuracy: baseline {base['val_accuracy']}, L2 {l2['val_accuracy']} (gain {accuracy_gain})")
    return consistently_positive(gain), figures, summary


def l1_sparsity_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 4: L1's loss is high from the start; its kernels hold more near-zero weights than L2's.

    "High from the start": L1's first-epoch training loss (penalty included) above both L2's and
    the baseline's in every seed; "sparser": L1's near-zero share above L2's in every seed.
    """
    runs = _runs(seeds, fast)
    first = {name: Spread.of(r.curve(name, "loss")[0] for r in runs) for name in ("baseline", "L1", "L2")}
    share = {name: Spread.of(near_zero_share(r.runs[name].hidden_kernels()) for r in runs) for name in ("L1", "L2")}
    high_start = clearly_below(first["L2"], first["L1"]) and clearly_below(first["baseline"], first["L1"])
    sparser = clearly_below(share["L2"], share["L1"])
    figures = {**first["baseline"].figures("first_epoch_loss_baseline"), **first["L1"].figures("first_epoch_loss_l1"),
               **first["L2"].figures("first_epoch_loss_l2"), **share["L1"].figures("near_zero_share_l1"),
               **share["L2"].figures("near_zero_share_l2")}
    summary = (f"first-epoch training loss (with penalty): L1 {first['L1'].format('.2f')}, L2 "
               f"{first['L2'].format('.2f')}, baseline {first['baseline'].format('.2f')}; share of |w| < "
               f"{NEAR_ZERO:g}: L1 {share['L1'].format('.3f')}, L2 {share['L2'].format('.3f')}")
    return high_start and sparser, figures, summary


def l2_rises_slowest_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 5: among baseline, L1, L2, L1+L2 and dropout, L2's validation loss rises the slowest.

    "Rises" is the climb after the minimum (:func:`val_loss_rise`). Held when L2's climb is below
    every other model's in every seed. Each model's end-of-training validation loss and accuracy
    are reported too: a model that never overfits because it never fits rises slowly as well.
    """
    runs = _runs(seeds, fast)
    rise = {name: Spread.of(val_loss_rise(r.curve(name)) for r in runs) for name in MODEL_NAMES}
    slowest = min(rise, key=lambda name: rise[name].mean)
    held = all(consistently_positive(paired_effect(rise[name], rise["L2"])) for name in MODEL_NAMES if name != "L2")
    figures = {}
    for name, spread in rise.items():
        slug = name.lower().replace("+", "_")
        figures.update(figures_of({f"val_loss_rise_{slug}": spread,
                                   **{f"{slug}_end_{key}": value for key, value in end_figures(runs, name).items()}}))
    summary = ("rise of validation cross-entropy after its minimum: "
               + labelled(rise, ".3f")
               + f"; lowest mean: {slowest}")
    return held, figures, summary


# ---------------------------------------------------------------------------- claim 16: the L2 sweep
def l2_sweep(seeds: Sequence[int], fast: bool | None = None, factors: Sequence[float] = L2_SWEEP,
             verbose: int = 0) -> pd.DataFrame:
    """One row per (factor, seed): validation cross-entropy and accuracy at the end of training
    (mean of the last epochs), and the hidden kernels' norm."""
    size = sizes(fast)
    rows = []
    for factor in factors:
        for seed in seeds:
            run = fashion.train(fashion.NetworkSpec(l2=float(factor)), seed, size, verbose=verbose)
            rows.append({"l2 factor": float(factor), "seed": int(seed), "val crossentropy": run.end_val_ce,
                         "val accuracy": run.end_val_accuracy, "weight norm": run.weight_norm()})
    return pd.DataFrame(rows)


def l2_factor_u_shape_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 16: validation loss is U-shaped in the L2 factor and the weights' norm falls as it grows.

    U-shaped: :func:`is_u_shaped` over the factors of ``L2_SWEEP``; falling: the mean norm drops
    at every step of the sweep.
    """
    frame = l2_sweep(seeds, fast)
    losses, figures, summary = sweep_figures(frame, "l2 factor", lambda f: fashion.NetworkSpec(l2=f), fast,
                                             "best_factor")
    norm = sweep_spreads(frame, "l2 factor", "weight norm")
    norms = [norm[f].mean for f in sorted(norm)]
    falling = all(b < a for a, b in zip(norms, norms[1:]))
    figures.update({f"weight_norm_at_{factor:g}": norm[factor].mean for factor in norm})
    summary += "; weight norm " + " > ".join(f"{n:.0f}" for n in norms)
    return is_u_shaped(losses) and falling, figures, summary
