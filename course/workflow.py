"""Chapter 07 experiments: the universal workflow end to end, batch normalization, early
stopping and data augmentation.

- :class:`Workflow` runs the workflow's steps on the breast-cancer data (malignant = 1, the
  positive class): a naive baseline, a first small model that beats it, a large model that
  overfits, regularized candidates tuned on validation with early stopping, and the chosen
  one retrained on training + validation data and evaluated once on the test set. Every step
  adds a row to a pandas results table.
- Batch normalization on Fashion-MNIST (:mod:`course.fashion`): :func:`run_batchnorm_comparison`
  trains a 4 x 100 network plain (ReLU), with Dense -> BatchNormalization -> ReLU blocks and with
  Dense -> BatchNormalization -> LeakyReLU(0.2) blocks, with SGD (claim 10) or Adam (claim 18),
  over several seeds; :func:`plot_batchnorm_curves` draws them.
- :func:`run_early_stopping` trains the 512-512 Fashion-MNIST baseline with ``EarlyStopping`` and,
  for comparison, without it (claim 12).
- :func:`augmented_examples` / :func:`plot_augmented_images` show random flips, shifts and
  rotations of Fashion-MNIST images; :func:`run_augmentation_effect` trains the baseline network
  on 1,500 images with and without them over several seeds (:func:`measure_augmentation`).

Nothing here implements a graded function (a student's code can import this package): the
workflow's baseline step takes the student's ``naive_baseline``, the claims use Keras's own
``EarlyStopping``, and features are standardized inline (training statistics only). Runs are
cached per process so that the notebook and the claims share them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn import metrics as skm

from course import fashion, runtime
from course.data import FASHION_MNIST_CLASSES, Split, fashion_mnist_images, load_cancer_data
from course.spread import Spread, consistently_positive, every_seed, figures_of, labelled, paired_effect

LEARNING_RATE = 1e-3  # Adam's default: the "safe start" of the workflow
LARGE_UNITS = (256, 256, 256)
SMALL_UNITS = (8,)
VAL_BATCH = 256  # the validation sets (114 samples) are evaluated in one batch: fewer steps per epoch


def sizes(fast: bool | None = None) -> dict[str, int]:
    """Epochs and patience of the workflow experiments (the full size is quoted in the text)."""
    fast = runtime.fast_mode(fast)
    if fast:
        return {"small_epochs": 10, "large_epochs": 6, "tune_epochs": 6, "patience": 2, "batch_size": 32}
    return {"small_epochs": 60, "large_epochs": 60, "tune_epochs": 100, "patience": 10, "batch_size": 32}


# ---------------------------------------------------------------------------- scores
def binary_scores(y_true: np.ndarray, probability: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Loss and metrics of predicted probabilities of the positive class."""
    y_true = np.asarray(y_true)
    probability = np.clip(np.asarray(probability, dtype=np.float64).ravel(), 1e-7, 1 - 1e-7)
    predicted = (probability >= threshold).astype(int)
    constant = np.ptp(probability) == 0
    return {
        "loss": float(skm.log_loss(y_true, probability, labels=[0, 1])),
        "accuracy": float(skm.accuracy_score(y_true, predicted)),
        "ROC AUC": 0.5 if constant else float(skm.roc_auc_score(y_true, probability)),
        "precision": float(skm.precision_score(y_true, predicted, zero_division=0)),
        "recall": float(skm.recall_score(y_true, predicted, zero_division=0)),
        "average precision": float(skm.average_precision_score(y_true, probability)),
    }


def build_classifier(n_features: int, units: Sequence[int] = SMALL_UNITS, dropout: float = 0.0,
                     l2: float = 0.0, learning_rate: float = LEARNING_RATE):
    """Dense ReLU layers of ``units`` (optionally dropout / L2), a sigmoid output, binary
    crossentropy (the differentiable proxy for the metrics we care about), Adam."""
    keras = runtime.import_keras()
    layers: list = [keras.Input(shape=(n_features,))]
    for width in units:
        layers.append(keras.layers.Dense(width, activation="relu",
                                         kernel_regularizer=keras.regularizers.l2(l2) if l2 else None))
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def _predict(model, x: np.ndarray) -> np.ndarray:
    """Probabilities of a :func:`build_classifier` model, by a NumPy forward pass of its Dense
    layers (dropout is off at inference). Same numbers as ``model.predict`` up to float32
    rounding, without tracing a prediction graph for every model (seconds in fast mode)."""
    out = np.asarray(x, dtype=np.float32)
    for layer in model.layers:
        if layer.__class__.__name__ != "Dense":
            continue
        kernel, bias = (np.asarray(w) for w in layer.get_weights())
        out = out @ kernel + bias
        out = np.maximum(out, 0.0) if layer.activation.__name__ == "relu" else 1.0 / (1.0 + np.exp(-out))
    return out.ravel().astype(np.float64)


def _params(model) -> int:
    return int(model.count_params())


# ---------------------------------------------------------------------------- the workflow
@dataclass
class Candidate:
    """A regularized configuration tried in the tuning step."""

    name: str
    units: tuple[int, ...]
    dropout: float = 0.0
    l2: float = 0.0


CANDIDATES = (
    Candidate("large + dropout 0.5", LARGE_UNITS, dropout=0.5),
    Candidate("large + L2 1e-3", LARGE_UNITS, l2=1e-3),
    Candidate("medium (2 x 32) + dropout 0.3", (32, 32), dropout=0.3),
)


@dataclass
class Workflow:
    """The workflow's steps on the breast-cancer data, one method per step, one row per step.

    Call the steps in order: :meth:`baseline`, :meth:`first_model`, :meth:`scale_up`,
    :meth:`tune`, :meth:`retrain_and_test`; :meth:`table` is the results so far.
    """

    seed: int = 0
    fast: bool | None = None
    data: Split = field(init=False)
    rows: list[dict] = field(default_factory=list)
    histories: dict[str, Any] = field(default_factory=dict)
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)
    tuning: pd.DataFrame | None = None
    chosen: Candidate | None = None
    chosen_epochs: int | None = None

    def __post_init__(self):
        self.fast = runtime.fast_mode(self.fast)
        self.size = sizes(self.fast)
        self.data = load_cancer_data(self.seed)
        mean, std = self.data.x_train.mean(axis=0), self.data.x_train.std(axis=0)  # training statistics only
        self.x_train, self.x_val = (((part - mean) / np.where(std == 0, 1.0, std)).astype(np.float32)
                                    for part in (self.data.x_train, self.data.x_val))

    # -- helpers
    def _fit(self, model, epochs: int, callbacks: list | None = None):
        runtime.import_keras()
        with runtime.quiet_native_stderr():
            return model.fit(self.x_train, self.data.y_train, epochs=epochs,
                             batch_size=self.size["batch_size"], verbose=0, callbacks=callbacks or [],
                             validation_data=(self.x_val, self.data.y_val), validation_batch_size=VAL_BATCH)

    def _row(self, step: str, model_name: str, params: int, epochs: int | str, train: dict, val: dict,
             test: dict | None = None) -> dict:
        row = {"step": step, "model": model_name, "parameters": params, "epochs": epochs,
               "train loss": train["loss"], "val loss": val["loss"], "val accuracy": val["accuracy"],
               "val ROC AUC": val["ROC AUC"], "val precision": val["precision"], "val recall": val["recall"],
               "val average precision": val["average precision"],
               "test accuracy": np.nan, "test ROC AUC": np.nan, "test recall": np.nan}
        if test is not None:
            row.update({"test accuracy": test["accuracy"], "test ROC AUC": test["ROC AUC"],
                        "test recall": test["recall"]})
        self.rows.append(row)
        return row

    # -- steps
    def baseline(self, naive_baseline: Callable) -> dict:
        """Step 1: predict the most frequent training class for everyone (no inputs used); its
        accuracy is ``naive_baseline(y_train, y_val, "classification")`` (the student's)."""
        y_train, y_val = self.data.y_train, self.data.y_val
        accuracy = float(naive_baseline(y_train, y_val, "classification"))
        prior = float(np.mean(y_train))  # the constant probability a calibrated input-blind model outputs
        train = binary_scores(y_train, np.full(len(y_train), prior))
        val = binary_scores(y_val, np.full(len(y_val), prior))
        val["accuracy"] = accuracy  # the student's function provides the baseline's accuracy
        self.probabilities["baseline"] = np.full(len(y_val), prior)
        # the class that constant predicts at binary_scores' threshold: no majority rule of its own here
        name = f"always '{'malignant' if prior >= 0.5 else 'benign'}'"
        return self._row("1 baseline", name, 0, "-", train, val)

    def first_model(self) -> dict:
        """Step 2: a small model (one hidden layer of 8) that should beat the baseline."""
        return self._unregularized_step("2 beat the baseline", "small (8)", SMALL_UNITS, self.size["small_epochs"])

    def scale_up(self) -> dict:
        """Step 3: a much larger model trained long enough to overfit."""
        return self._unregularized_step("3 scale up (overfits)", "large (3 x 256)", LARGE_UNITS,
                                        self.size["large_epochs"])

    def _unregularized_step(self, step: str, name: str, units: Sequence[int], epochs: int) -> dict:
        """Train a plain :func:`build_classifier` of ``units`` for ``epochs`` and add its row."""
        runtime.seed_everything(self.seed)
        model = build_classifier(self.x_train.shape[1], units)
        self.histories[name] = self._fit(model, epochs)
        self.probabilities[name] = _predict(model, self.x_val)
        return self._row(step, name, _params(model), epochs,
                         binary_scores(self.data.y_train, _predict(model, self.x_train)),
                         binary_scores(self.data.y_val, self.probabilities[name]))

    def tune(self, candidates: Sequence[Candidate] = CANDIDATES) -> pd.DataFrame:
        """Step 4: regularized candidates, each with early stopping on validation; keep the one
        with the lowest validation loss (the restored best epoch)."""
        keras = runtime.import_keras()
        results = []
        for candidate in candidates:
            runtime.seed_everything(self.seed)
            model = build_classifier(self.x_train.shape[1], candidate.units, candidate.dropout, candidate.l2)
            stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=self.size["patience"],
                                                    restore_best_weights=True)
            history = self._fit(model, self.size["tune_epochs"], [stopper])
            self.histories[candidate.name] = history
            best_epoch = int(stopper.best_epoch) + 1
            probability = _predict(model, self.x_val)
            self.probabilities[candidate.name] = probability
            train = binary_scores(self.data.y_train, _predict(model, self.x_train))
            val = binary_scores(self.data.y_val, probability)
            results.append((candidate, best_epoch, len(history.history["val_loss"]), model, train, val))
        table = pd.DataFrame([{"candidate": c.name, "best epoch": b, "stopped after": s,
                               "val loss": v["loss"], "val accuracy": v["accuracy"], "val ROC AUC": v["ROC AUC"],
                               "val recall": v["recall"]} for c, b, s, _, _, v in results])
        winner = min(results, key=lambda r: r[5]["loss"])
        self.chosen, self.chosen_epochs = winner[0], winner[1]
        self.tuning = table
        self._row("4 regularize + tune", winner[0].name, _params(winner[3]), winner[1], winner[4], winner[5])
        return table

    def retrain_and_test(self) -> dict:
        """Step 5: the chosen configuration, retrained on training + validation data for the epochs
        early stopping found, standardized with training + validation statistics, tested once."""
        if self.chosen is None:
            raise RuntimeError("run tune() first")
        d = self.data
        x_all = np.concatenate([d.x_train, d.x_val])
        y_all = np.concatenate([d.y_train, d.y_val])
        mean, std = x_all.mean(axis=0), x_all.std(axis=0)
        x_all_s, x_test_s = (((part - mean) / np.where(std == 0, 1.0, std)).astype(np.float32)
                             for part in (x_all, d.x_test))
        runtime.seed_everything(self.seed)
        model = build_classifier(x_all_s.shape[1], self.chosen.units, self.chosen.dropout, self.chosen.l2)
        with runtime.quiet_native_stderr():
            model.fit(x_all_s, y_all, epochs=self.chosen_epochs, batch_size=self.size["batch_size"], verbose=0)
        train = binary_scores(y_all, _predict(model, x_all_s))
        test = binary_scores(d.y_test, _predict(model, x_test_s))
        tuned = self.rows[-1]
        val = {"loss": tuned["val loss"], "accuracy": tuned["val accuracy"], "ROC AUC": tuned["val ROC AUC"],
               "precision": tuned["val precision"], "recall": tuned["val recall"],
               "average precision": tuned["val average precision"]}
        self.test_scores = test
        return self._row("5 retrain on train+val, test once", self.chosen.name, _params(model),
                         self.chosen_epochs, train, val, test)

    def run_all(self, naive_baseline: Callable) -> pd.DataFrame:
        self.baseline(naive_baseline)
        self.first_model()
        self.scale_up()
        self.tune()
        self.retrain_and_test()
        return self.table()

    def table(self) -> pd.DataFrame:
        """The results so far, one row per step (rounded for display)."""
        frame = pd.DataFrame(self.rows).set_index("step")
        return frame.round(3)


def plot_roc_and_pr(y_true: np.ndarray, probabilities: dict[str, np.ndarray], title: str | None = None) -> plt.Figure:
    """ROC curves and precision-recall curves of several models on the same labels."""
    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(11, 4))
    palette = sns.color_palette(n_colors=max(len(probabilities), 1))
    for color, (name, probability) in zip(palette, probabilities.items()):
        fpr, tpr, _ = skm.roc_curve(y_true, probability)
        precision, recall, _ = skm.precision_recall_curve(y_true, probability)
        auc = 0.5 if np.ptp(probability) == 0 else skm.roc_auc_score(y_true, probability)
        ap = skm.average_precision_score(y_true, probability)
        sns.lineplot(x=fpr, y=tpr, ax=ax_roc, color=color, label=f"{name} (AUC {auc:.3f})",
                     drawstyle="steps-post", errorbar=None)
        sns.lineplot(x=recall, y=precision, ax=ax_pr, color=color, label=f"{name} (AP {ap:.3f})",
                     drawstyle="steps-post", errorbar=None, sort=False)
    ax_roc.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax_roc.set_xlabel("false positive rate (benign flagged as malignant)")
    ax_roc.set_ylabel("true positive rate (recall of malignant)")
    ax_roc.set_title("ROC curve (validation)")
    ax_pr.set_xlabel("recall (share of malignant tumours found)")
    ax_pr.set_ylabel("precision (alarms that are malignant)")
    ax_pr.set_title("Precision-recall curve (validation)")
    for ax in (ax_roc, ax_pr):
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.legend(loc="lower left" if ax is ax_pr else "lower right", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1, 0.95) if title else None)
    return fig


# ---------------------------------------------------------------------------- batch normalization
# Claims 10 and 18 on Fashion-MNIST (course.fashion). The network is four hidden layers of 100:
# deep enough for the scale of each layer's inputs to matter, which is what batch normalization
# fixes. The training set is 10,000 images in batches of 32 (Keras's default), so one epoch is 313
# steps; after it the moving averages that BatchNormalization uses at inference (momentum 0.99)
# keep 0.99**313 = 4 % of their starting values (mean 0, variance 1). With fewer steps per epoch the
# first epochs' validation loss of a normalized network measures those stale averages, not how far
# training got.
BN_HIDDEN = (100, 100, 100, 100)
BN_FIRST_EPOCHS = 3  # claims 10 and 18 compare the mean validation cross-entropy over these epochs (of 10)
BN_FULL = fashion.TaskSize(n_train=10_000, n_val=5_000, epochs=10, batch_size=32)
BN_FAST = fashion.TaskSize(n_train=1_000, n_val=1_000, epochs=BN_FIRST_EPOCHS, batch_size=32)
PLAIN, BN_RELU, BN_LEAKY = "plain ReLU", "batch norm + ReLU", f"batch norm + LeakyReLU({fashion.LEAKY_SLOPE:g})"
BN_VARIANTS: dict[str, tuple[bool, str]] = {  # name -> (batch_norm, activation)
    PLAIN: (False, "relu"), BN_RELU: (True, "relu"), BN_LEAKY: (True, "leaky_relu")}
OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam"}


def bn_size(fast: bool | None = None) -> fashion.TaskSize:
    """:data:`BN_FULL` or :data:`BN_FAST` (``fast=None`` follows :func:`course.runtime.is_fast_mode`)."""
    fast = runtime.fast_mode(fast)
    return BN_FAST if fast else BN_FULL


def bn_spec(variant: str, optimizer: str) -> fashion.NetworkSpec:
    """The 4 x 100 network of ``variant`` (a key of :data:`BN_VARIANTS`) with ``optimizer`` at its
    Keras default learning rate (SGD 0.01 without momentum, Adam 0.001)."""
    batch_norm, activation = BN_VARIANTS[variant]
    return fashion.NetworkSpec(hidden=BN_HIDDEN, batch_norm=batch_norm, activation=activation, optimizer=optimizer)


def first_epochs_val_ce(run: fashion.Run, k: int = BN_FIRST_EPOCHS) -> float:
    """Mean validation cross-entropy over the first ``k`` epochs of ``run``."""
    return float(np.mean(run.val_ce[:k]))


@dataclass
class BatchNormComparison:
    """The three variants of :data:`BN_VARIANTS` trained with one optimizer, one run per seed."""

    optimizer: str
    runs: dict[str, list[fashion.Run]]

    @property
    def label(self) -> str:
        """``"SGD 0.01"`` or ``"Adam 0.001"``."""
        return f"{OPTIMIZER_NAMES[self.optimizer]} {fashion.DEFAULT_LEARNING_RATES[self.optimizer]:g}"

    @property
    def seeds(self) -> list[int]:
        return [run.seed for run in self.runs[PLAIN]]

    def first_epochs(self, variant: str, k: int = BN_FIRST_EPOCHS) -> Spread:
        """Mean validation cross-entropy over the first ``k`` epochs, over the seeds."""
        return Spread.of(first_epochs_val_ce(run, k) for run in self.runs[variant])

    def first_epochs_train(self, variant: str, k: int = BN_FIRST_EPOCHS) -> Spread:
        """Mean training cross-entropy over the first ``k`` epochs (Keras's running mean over each
        epoch's batches, in training mode), over the seeds."""
        return Spread.of(float(np.mean(run.train_ce[:k])) for run in self.runs[variant])

    def final(self, variant: str, figure: str = "final_val_ce") -> Spread:
        """A :class:`course.fashion.Run` figure of ``variant`` over the seeds."""
        return fashion.spread_of(self.runs[variant], figure)

    def curves(self) -> pd.DataFrame:
        """Long table: optimizer, variant, seed, epoch (from 1), training and validation
        cross-entropy, validation accuracy."""
        rows = [{"optimizer": self.label, "variant": variant, "seed": run.seed, "epoch": epoch,
                 "train crossentropy": train, "val crossentropy": val, "val accuracy": accuracy}
                for variant, runs in self.runs.items() for run in runs
                for epoch, (train, val, accuracy) in enumerate(zip(run.train_ce, run.val_ce, run.val_accuracy), 1)]
        return pd.DataFrame(rows)


def run_batchnorm_comparison(optimizer: str, seeds: Sequence[int] = (0,), fast: bool | None = None,
                             verbose: int = 0) -> BatchNormComparison:
    """Train the three variants with ``optimizer`` (``"sgd"`` or ``"adam"``) on every seed: same
    split, same initial seed and batch order per seed (runs are cached by
    :func:`course.fashion.train`)."""
    size = bn_size(fast)
    return BatchNormComparison(optimizer, {variant: [fashion.train(bn_spec(variant, optimizer), int(seed), size,
                                                                   verbose=verbose) for seed in seeds]
                                           for variant in BN_VARIANTS})


def plot_batchnorm_curves(comparisons: Sequence[BatchNormComparison], k: int = BN_FIRST_EPOCHS) -> plt.Figure:
    """Validation cross-entropy per epoch of the three variants, one panel per optimizer: the mean
    over the seeds as a line, the lowest-to-highest seed as a band; the first ``k`` epochs shaded."""
    frame = pd.concat([comparison.curves() for comparison in comparisons], ignore_index=True)
    fig, axes = plt.subplots(1, len(comparisons), figsize=(6 * len(comparisons), 4), squeeze=False)
    for ax, comparison in zip(axes[0], comparisons):
        sns.lineplot(data=frame[frame["optimizer"] == comparison.label], x="epoch", y="val crossentropy",
                     hue="variant", hue_order=list(BN_VARIANTS), estimator="mean", errorbar=("pi", 100),
                     marker="o", ax=ax)
        ax.axvspan(0.75, k + 0.25, color="grey", alpha=0.1, label=f"first {k} epochs")
        ax.set_title(f"{comparison.label}: {len(comparison.seeds)} seeds (band: lowest to highest)")
        ax.set_ylabel("validation cross-entropy")
        ax.legend(fontsize=8)
    fig.suptitle(f"Fashion-MNIST, {len(BN_HIDDEN)} hidden layers of {BN_HIDDEN[0]}, "
                 "with and without batch normalization")
    fig.tight_layout()
    return fig


def _batchnorm_claim(optimizer: str, normalized: Sequence[str], seeds: Sequence[int],
                     fast: bool) -> tuple[bool, dict[str, float], str]:
    """Held when every variant in ``normalized`` has a lower mean validation cross-entropy over the
    first epochs than the plain ReLU network in every seed (the paired effect, plain minus
    normalized, is above zero over its whole range: the variants share each seed's images and
    batch order)."""
    comparison = run_batchnorm_comparison(optimizer, seeds, fast)
    first = {variant: comparison.first_epochs(variant) for variant in BN_VARIANTS}
    first_train = {variant: comparison.first_epochs_train(variant) for variant in BN_VARIANTS}
    final_ce = {variant: comparison.final(variant) for variant in BN_VARIANTS}
    final_accuracy = {variant: comparison.final(variant, "final_val_accuracy") for variant in BN_VARIANTS}
    lower_by = {variant: paired_effect(first[PLAIN], first[variant]) for variant in (BN_RELU, BN_LEAKY)}
    held = all(consistently_positive(lower_by[variant]) for variant in normalized)
    size = comparison.runs[PLAIN][0].size
    figures: dict[str, float] = {"first_epochs": BN_FIRST_EPOCHS, "epochs": size.epochs, "n_train": size.n_train}
    for variant, key in ((PLAIN, "plain_relu"), (BN_RELU, "bn_relu"), (BN_LEAKY, "bn_leaky_relu")):
        figures.update(figures_of({f"first_epochs_val_ce_{key}": first[variant],
                                   f"first_epochs_train_ce_{key}": first_train[variant],
                                   f"final_val_ce_{key}": final_ce[variant],
                                   f"final_val_accuracy_{key}": final_accuracy[variant]}))
        if variant in lower_by:
            figures.update(lower_by[variant].figures(f"{key}_lower_by"))
    summary = (f"{comparison.label}, {len(BN_HIDDEN)} x {BN_HIDDEN[0]} on {size.n_train:,} images: mean validation "
               f"cross-entropy over the first {BN_FIRST_EPOCHS} of {size.epochs} epochs: "
               + labelled(first) + "; lower than plain ReLU by (paired by seed) " + labelled(lower_by)
               + " (training cross-entropy: " + labelled(first_train)
               + f"); after {size.epochs} epochs: "
               + ", ".join(f"{variant} {final_ce[variant]} (accuracy {final_accuracy[variant]})"
                           for variant in BN_VARIANTS))
    return held, figures, summary


def batchnorm_sgd_convergence_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 10: with plain SGD (0.01, Keras's default), batch normalization + ReLU has a lower mean
    validation cross-entropy over the first epochs than the same network without it, in every
    seed. The LeakyReLU variant is reported beside it."""
    return _batchnorm_claim("sgd", [BN_RELU], seeds, fast)


def batchnorm_adam_convergence_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 18: with Adam (0.001), batch normalization with ReLU and with LeakyReLU(0.2) each have a
    lower mean validation cross-entropy over the first epochs than the plain ReLU network, in every
    seed."""
    return _batchnorm_claim("adam", [BN_RELU, BN_LEAKY], seeds, fast)


# ---------------------------------------------------------------------------- early stopping
ES_PATIENCE = 5
ES_FAST_PATIENCE = 2
# Fast mode: 1,000 images and up to 20 epochs of 8 steps, so that the network does overfit and stop.
ES_FAST = fashion.with_size(fashion.FAST, epochs=20)


def es_size(fast: bool | None = None) -> fashion.TaskSize:
    """Claim 12's run: chapters 04-06's baseline task (:data:`course.fashion.FULL`, 40 epochs at most),
    whose run without the callback those chapters' claims share; :data:`ES_FAST` in fast mode."""
    fast = runtime.fast_mode(fast)
    return ES_FAST if fast else fashion.FULL


def es_patience(fast: bool | None = None) -> int:
    fast = runtime.fast_mode(fast)
    return ES_FAST_PATIENCE if fast else ES_PATIENCE


@dataclass
class EarlyStoppingRun:
    """One seed: the 512-512 baseline network with ``EarlyStopping`` and the same network (same
    seed) trained for every epoch without it."""

    seed: int
    patience: int
    stopped: fashion.Run  # the early-stopped run; its model holds the restored weights
    stopped_epoch: int  # the epoch after which fit stopped (counted from 1)
    best_epoch: int  # the epoch whose weights were restored (counted from 1)
    restored_val_loss: float  # model.evaluate on validation after fit returned
    restored_val_accuracy: float
    full: fashion.Run  # the same network trained for every epoch, no callback

    @property
    def val_losses(self) -> np.ndarray:
        return np.asarray(self.stopped.history["val_loss"], dtype=float)

    @property
    def full_val_losses(self) -> np.ndarray:
        return np.asarray(self.full.history["val_loss"], dtype=float)


_ES_CACHE: dict[tuple[int, bool], EarlyStoppingRun] = {}


def run_early_stopping(seed: int = 0, fast: bool | None = None) -> EarlyStoppingRun:
    """The 512-512 Fashion-MNIST baseline (Adam) with
    ``EarlyStopping(monitor="val_loss", patience=p, restore_best_weights=True)``, and without it."""
    fast = runtime.fast_mode(fast)
    key = (int(seed), bool(fast))
    if key in _ES_CACHE:
        return _ES_CACHE[key]
    keras = runtime.import_keras()
    size, patience = es_size(fast), es_patience(fast)
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    stopped = fashion.train(fashion.BASELINE, int(seed), size, callbacks=[stopper])
    split = fashion.make_split(int(seed), size)
    with runtime.quiet_native_stderr():
        restored = stopped.model.evaluate(split.x_val, split.y_val, batch_size=size.batch_size, verbose=0,
                                          return_dict=True)
    full = fashion.train(fashion.BASELINE, int(seed), size)
    run = EarlyStoppingRun(int(seed), patience, stopped, len(stopped.history["val_loss"]),
                           int(stopper.best_epoch) + 1, float(restored["loss"]), float(restored["accuracy"]), full)
    _ES_CACHE[key] = run
    return run


def early_stopping_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 12: early stopping halts ``patience`` epochs after the lowest validation loss and, with
    best-weight restoring, keeps that epoch's validation loss.

    Per seed: the stop epoch against (epoch of the lowest validation loss seen + patience); the
    restored model's evaluated validation loss against the history's minimum (relative
    tolerance 1e-5). Held when both hold on every seed. Reported with their spread: the best and
    stop epochs, the restored model's validation loss and accuracy, and those of the same network
    after every epoch without the callback.
    """
    runs = [run_early_stopping(int(seed), fast) for seed in seeds]
    stop_ok, restore_ok, gaps, rel_errors = [], [], [], []
    for run in runs:
        losses = run.val_losses
        argmin_epoch = int(np.argmin(losses)) + 1
        never_stopped = (run.stopped_epoch == len(run.full_val_losses)
                         and run.stopped_epoch - argmin_epoch < run.patience)
        stop_ok.append(never_stopped or run.stopped_epoch == argmin_epoch + run.patience)
        rel = abs(run.restored_val_loss - losses.min()) / losses.min()
        restore_ok.append(rel <= 1e-5 and run.best_epoch == argmin_epoch)
        gaps.append(run.stopped_epoch - argmin_epoch)
        rel_errors.append(rel)
    spreads = {
        "best_epoch": Spread.of(r.best_epoch for r in runs),
        "stop_epoch": Spread.of(r.stopped_epoch for r in runs),
        "restored_val_ce": Spread.of(r.restored_val_loss for r in runs),
        "restored_val_accuracy": Spread.of(r.restored_val_accuracy for r in runs),
        "full_run_final_val_ce": fashion.spread_of([r.full for r in runs], "final_val_ce"),
        "full_run_final_val_accuracy": fashion.spread_of([r.full for r in runs], "final_val_accuracy"),
    }
    # what early stopping kept against the last epoch of the same seed trained without it
    spreads["restored_lower_by"] = paired_effect(spreads["full_run_final_val_ce"], spreads["restored_val_ce"])
    spreads["restored_accuracy_gain"] = paired_effect(spreads["restored_val_accuracy"],
                                                      spreads["full_run_final_val_accuracy"])
    held = every_seed(stop_ok) and every_seed(restore_ok)
    figures: dict[str, float] = {"patience": runs[0].patience, "epochs": runs[0].full.size.epochs,
                                 "max_stop_minus_argmin": float(max(gaps)), "min_stop_minus_argmin": float(min(gaps)),
                                 "max_relative_restore_error": float(max(rel_errors)),
                                 "seeds_stopped_at_argmin_plus_patience": float(sum(stop_ok))}
    figures.update(figures_of(spreads))
    summary = (f"512-512 network, Adam, {runs[0].full.size.epochs} epochs at most, patience {runs[0].patience}: "
               f"lowest validation loss at epoch {spreads['best_epoch'].format('.1f')}, stopped after epoch "
               f"{spreads['stop_epoch'].format('.1f')} (stop - best = {', '.join(map(str, gaps))}); restored "
               f"validation loss {spreads['restored_val_ce']} equals the minimum to {max(rel_errors):.1e} "
               f"(relative), accuracy {spreads['restored_val_accuracy']}; without the callback the last epoch "
               f"ends at {spreads['full_run_final_val_ce']}, accuracy {spreads['full_run_final_val_accuracy']} "
               f"(paired by seed: the restored model's loss lower by {spreads['restored_lower_by']}, its accuracy "
               f"higher by {spreads['restored_accuracy_gain']})")
    return held, figures, summary


def plot_early_stopping(run: EarlyStoppingRun, ax: plt.Axes | None = None) -> plt.Axes:
    """Validation loss without the callback, and where early stopping stopped and what it kept."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, len(run.full_val_losses) + 1)
    sns.lineplot(x=epochs, y=run.full_val_losses, ax=ax, label="validation loss (trained every epoch)")
    sns.lineplot(x=epochs, y=np.asarray(run.full.history["loss"]), ax=ax, label="training loss",
                 linestyle="--")
    ax.axvline(run.best_epoch, color="green", linestyle=":", label=f"best epoch {run.best_epoch} (restored)")
    ax.axvline(run.stopped_epoch, color="red", linestyle=":",
               label=f"stopped after epoch {run.stopped_epoch} (patience {run.patience})")
    ax.scatter([run.best_epoch], [run.restored_val_loss], color="green", zorder=5,
               label=f"restored model: val loss {run.restored_val_loss:.3f}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("sparse categorical cross-entropy")
    ax.set_title(f"Early stopping on the 512-512 Fashion-MNIST network (seed {run.seed})")
    ax.legend(fontsize=8)
    return ax


# ---------------------------------------------------------------------------- data augmentation
SHIFT = 0.1  # a fraction of the height and width: up to 2.8 pixels of a 28 x 28 image
ROTATION = 0.03  # a fraction of a full turn: up to about 11 degrees either way
FLIPS, SHIFTS_AND_ROTATIONS = "flip", "shift + rotation"
NO_AUGMENTATION, FLIPPED, ALL_AUGMENTATIONS = "no augmentation", "flips", "flips + shifts + rotations"
AUGMENTATIONS: dict[str, tuple[str, ...]] = {  # name -> the random transformations applied
    NO_AUGMENTATION: (), FLIPPED: (FLIPS,), ALL_AUGMENTATIONS: (FLIPS, SHIFTS_AND_ROTATIONS)}
# A small training set, where augmentation has something to add: 1,500 images (150 per class on
# average), the 512-512 baseline network, 40 epochs (augmented data takes longer to fit).
AUG_FULL = fashion.TaskSize(n_train=1_500, n_val=5_000, epochs=40)
AUG_FAST = fashion.TaskSize(n_train=500, n_val=1_000, epochs=4)


def augmentation_size(fast: bool | None = None) -> fashion.TaskSize:
    fast = runtime.fast_mode(fast)
    return AUG_FAST if fast else AUG_FULL


def augmentation_layers(transforms: Sequence[str] = (FLIPS, SHIFTS_AND_ROTATIONS), seed: int = 0,
                        shift: float = SHIFT, rotation: float = ROTATION):
    """Keras preprocessing layers for ``transforms`` (:data:`FLIPS`: a random left-right mirror;
    :data:`SHIFTS_AND_ROTATIONS`: shifts up to ``shift`` of the height/width and rotations up to
    ``rotation`` of a full turn): random in training, the identity at inference."""
    keras = runtime.import_keras()
    layers = []
    if FLIPS in transforms:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if SHIFTS_AND_ROTATIONS in transforms:
        layers += [keras.layers.RandomTranslation(shift, shift, fill_mode="constant", seed=seed + 1),
                   keras.layers.RandomRotation(rotation, fill_mode="constant", seed=seed + 2)]
    return keras.Sequential(layers, name="augmentation")


def augmented_examples(n_images: int = 4, n_variants: int = 5, seed: int = 0,
                       transforms: Sequence[str] = (FLIPS, SHIFTS_AND_ROTATIONS)
                       ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``n_images`` Fashion-MNIST training images of different classes and ``n_variants`` random
    augmentations of each: (originals (n, 28, 28), variants (n, n_variants, 28, 28), class names)."""
    data = fashion_mnist_images()
    rng = np.random.default_rng(seed)
    classes = rng.choice(fashion.N_CLASSES, n_images, replace=False)
    chosen = [int(rng.choice(np.flatnonzero(data.y_train == label))) for label in classes]
    originals = data.x_train[chosen].astype(np.float32) / 255.0
    layer = augmentation_layers(transforms, seed)
    with runtime.quiet_native_stderr():
        batch = np.repeat(originals[:, None, :, :, None], n_variants, axis=1).reshape(-1, 28, 28, 1)
        variants = np.asarray(layer(batch, training=True)).reshape(n_images, n_variants, 28, 28)
    return originals, variants, [FASHION_MNIST_CLASSES[int(label)] for label in classes]


def plot_augmented_images(originals: np.ndarray, variants: np.ndarray, names: Sequence[str] | None = None,
                          title: str | None = None) -> plt.Figure:
    """A grid: each row one image (its class name on the left), the original first, then its
    random variants."""
    n_rows, n_variants = variants.shape[:2]
    with sns.axes_style("white"):
        fig, axes = plt.subplots(n_rows, n_variants + 1, figsize=(1.5 * (n_variants + 1), 1.6 * n_rows))
    axes = np.atleast_2d(axes)
    for row in range(n_rows):
        for col in range(n_variants + 1):
            image = originals[row] if col == 0 else variants[row, col - 1]
            ax = axes[row, col]
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title("original" if col == 0 else f"random {col}", fontsize=8)
        if names is not None:
            axes[row, 0].set_ylabel(names[row], fontsize=8)
    fig.suptitle(title or f"Random flips, shifts (up to {SHIFT * 28:.1f} pixels) and rotations "
                          f"(up to {ROTATION * 360:.0f}°) of Fashion-MNIST images")
    fig.tight_layout()
    return fig


def build_augmented_network(transforms: Sequence[str], seed: int = 0, spec: fashion.NetworkSpec = fashion.BASELINE):
    """``spec``'s network on 28 x 28 x 1 images: the augmentation layers of ``transforms`` (if any),
    Flatten, then the hidden layers of ``spec`` and the softmax (:func:`course.fashion.build_network`,
    the same metrics)."""
    keras = runtime.import_keras()
    dense = fashion.build_network(spec)
    front: list[Any] = [keras.Input(shape=(28, 28, 1))]
    if transforms:
        front.append(augmentation_layers(transforms, seed))
    model = keras.Sequential(front + [keras.layers.Flatten()] + list(dense.layers))
    model.compile(optimizer=dense.optimizer, loss=dense.loss, metrics=[
        "accuracy", keras.metrics.SparseCategoricalCrossentropy(name="crossentropy")])
    return model


_AUG_RUNS: dict[tuple[str, int, fashion.TaskSize], fashion.Run] = {}


def train_augmented(name: str, seed: int = 0, size: fashion.TaskSize | None = None, verbose: int = 0) -> fashion.Run:
    """The baseline network with the augmentation ``name`` (a key of :data:`AUGMENTATIONS`) on the
    first ``size.n_train`` images of the seed's split (cached per process)."""
    size = augmentation_size() if size is None else size
    key = (name, int(seed), size)
    if key in _AUG_RUNS:
        return _AUG_RUNS[key]
    split = fashion.make_split(int(seed), size)
    as_images = lambda x: fashion.as_images(x)[..., None]  # noqa: E731
    runtime.import_keras()  # before seeding: seed_everything seeds Keras only once it is imported
    runtime.seed_everything(int(seed))
    started = time.perf_counter()
    with runtime.quiet_native_stderr():
        model = build_augmented_network(AUGMENTATIONS[name], int(seed))
        fitted = model.fit(as_images(split.x_train), split.y_train, epochs=size.epochs, batch_size=size.batch_size,
                           validation_data=(as_images(split.x_val), split.y_val), verbose=verbose)
    run = fashion.Run(fashion.BASELINE, int(seed), size,
                      {k: [float(v) for v in values] for k, values in fitted.history.items()}, model,
                      time.perf_counter() - started)
    _AUG_RUNS[key] = run
    return run


@dataclass
class AugmentationComparison:
    """The baseline network with each augmentation of :data:`AUGMENTATIONS`, one run per seed."""

    runs: dict[str, list[fashion.Run]]

    def final(self, name: str, figure: str = "final_val_ce") -> Spread:
        return fashion.spread_of(self.runs[name], figure)

    def table(self) -> pd.DataFrame:
        """One row per augmentation: validation cross-entropy and accuracy at the end of training
        (mean of the last epochs, :attr:`course.fashion.Run.end_val_ce`; ``mean (min-max)`` over the
        seeds), the lowest validation cross-entropy and its epoch."""
        return pd.DataFrame([{"augmentation": name, "end val crossentropy": str(self.final(name, "end_val_ce")),
                              "end val accuracy": str(self.final(name, "end_val_accuracy")),
                              "lowest val crossentropy": str(self.final(name, "min_val_ce")),
                              "best epoch": self.final(name, "best_epoch").format(".1f")}
                             for name in self.runs]).set_index("augmentation")

    def curves(self) -> pd.DataFrame:
        rows = [{"augmentation": name, "seed": run.seed, "epoch": epoch, "val crossentropy": val,
                 "val accuracy": accuracy}
                for name, runs in self.runs.items() for run in runs
                for epoch, (val, accuracy) in enumerate(zip(run.val_ce, run.val_accuracy), 1)]
        return pd.DataFrame(rows)


def run_augmentation_effect(seeds: Sequence[int] = (0,), fast: bool | None = None,
                            verbose: int = 0) -> AugmentationComparison:
    """Every augmentation of :data:`AUGMENTATIONS` on every seed (the same images and initial seed
    per seed)."""
    size = augmentation_size(fast)
    return AugmentationComparison({name: [train_augmented(name, int(seed), size, verbose) for seed in seeds]
                                   for name in AUGMENTATIONS})


def plot_augmentation_curves(comparison: AugmentationComparison) -> plt.Figure:
    """Validation cross-entropy and accuracy per epoch, mean over the seeds with a lowest-to-highest band."""
    frame = comparison.curves()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, column in zip(axes, ("val crossentropy", "val accuracy")):
        sns.lineplot(data=frame, x="epoch", y=column, hue="augmentation", hue_order=list(comparison.runs),
                     estimator="mean", errorbar=("pi", 100), ax=ax)
        ax.set_ylabel(column.replace("val", "validation"))
    n_seeds, size = len(next(iter(comparison.runs.values()))), next(iter(comparison.runs.values()))[0].size
    fig.suptitle(f"512-512 network on {size.n_train:,} Fashion-MNIST images, {n_seeds} seeds "
                 "(band: lowest to highest)")
    fig.tight_layout()
    return fig


def measure_augmentation(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Data augmentation on a small training set: validation cross-entropy and accuracy at the end
    of training (mean of the last epochs) with and without it. Held when every augmentation ends
    with a lower validation cross-entropy than no augmentation in every seed (the paired effect:
    the three networks share each seed's images, initial weights and batch order); accuracy is
    reported, not judged."""
    comparison = run_augmentation_effect(seeds, fast)
    names = {NO_AUGMENTATION: "none", FLIPPED: "flips", ALL_AUGMENTATIONS: "all"}
    loss = {name: comparison.final(name, "end_val_ce") for name in AUGMENTATIONS}
    lowest = {name: comparison.final(name, "min_val_ce") for name in AUGMENTATIONS}
    accuracy = {name: comparison.final(name, "end_val_accuracy") for name in AUGMENTATIONS}
    augmented = [name for name in AUGMENTATIONS if name != NO_AUGMENTATION]
    loss_gain = {name: paired_effect(loss[NO_AUGMENTATION], loss[name]) for name in augmented}
    accuracy_gain = {name: paired_effect(accuracy[name], accuracy[NO_AUGMENTATION]) for name in augmented}
    held = all(consistently_positive(loss_gain[name]) for name in augmented)
    size = comparison.runs[NO_AUGMENTATION][0].size
    figures: dict[str, float] = {"n_train": size.n_train, "epochs": size.epochs, "end_epochs": fashion.END_EPOCHS}
    for name, key in names.items():
        figures.update(figures_of({f"end_val_ce_{key}": loss[name], f"min_val_ce_{key}": lowest[name],
                                   f"end_val_accuracy_{key}": accuracy[name]}))
        if name in loss_gain:
            figures.update(figures_of({f"{key}_lower_ce_by": loss_gain[name],
                                       f"{key}_accuracy_gain": accuracy_gain[name]}))
    summary = (f"512-512 network on {size.n_train:,} images, {size.epochs} epochs; validation cross-entropy at the "
               f"end (mean of the last {fashion.END_EPOCHS} epochs): "
               + labelled(loss) + "; lower than without augmentation by (paired by seed) " + labelled(loss_gain)
               + "; accuracy " + labelled(accuracy) + ", gain " + labelled(accuracy_gain)
               + "; lowest validation cross-entropy during training " + labelled(lowest))
    return held, figures, summary
