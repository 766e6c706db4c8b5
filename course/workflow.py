"""Chapter 07 experiments: the universal workflow end to end, batch normalization, early
stopping and data augmentation.

- :class:`Workflow` runs the workflow's steps on the breast-cancer data (malignant = 1, the
  positive class): a naive baseline, a first small model that beats it, a large model that
  overfits, regularized candidates tuned on validation with early stopping, and the chosen
  one retrained on training + validation data and evaluated once on the test set. Every step
  adds a row to a pandas results table.
- :func:`run_batchnorm_comparison` trains the same deep network with and without
  Dense -> BatchNormalization -> Activation blocks on the digits (claim 10).
- :func:`run_early_stopping` trains the overfitting model with ``EarlyStopping`` and, for
  comparison, without it (claim 12).
- :func:`augmentation_layers` / :func:`plot_augmented_digits` / :func:`run_augmentation_effect`
  show random shifts and rotations of the digit images and what they do to a small convnet.

Nothing here implements a graded function (a student's code can import this package): the
workflow's baseline step takes the student's ``naive_baseline``, the claims use Keras's own
``EarlyStopping``, and features are standardized inline (training statistics only). Runs are
cached per ``(seed, fast)`` so that the notebook and the claims share them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn import metrics as skm

from course import runtime
from course.data import Split, load_breast_cancer_split, load_digit_images, load_digits_split

POSITIVE_CLASS = "malignant"
LEARNING_RATE = 1e-3  # Adam's default: the "safe start" of the workflow
LARGE_UNITS = (256, 256, 256)
SMALL_UNITS = (8,)
VAL_BATCH = 256  # the validation sets (114 samples) are evaluated in one batch: fewer steps per epoch


def sizes(fast: bool | None = None) -> dict[str, int]:
    """Epochs and patience of the workflow experiments (the full size is quoted in the text)."""
    fast = runtime.is_fast_mode() if fast is None else fast
    if fast:
        return {"small_epochs": 10, "large_epochs": 6, "tune_epochs": 6, "patience": 2, "batch_size": 32}
    return {"small_epochs": 60, "large_epochs": 60, "tune_epochs": 100, "patience": 10, "batch_size": 32}


# ---------------------------------------------------------------------------- data and scores
def load_cancer_data(seed: int = 0) -> Split:
    """The course's stratified breast-cancer split, relabelled so that 1 means malignant.

    ``x_*`` are raw float32 features; standardize them with the training part's statistics
    only. Malignant tumours are the rarer class (about 37 %).
    """
    split = load_breast_cancer_split(seed)
    flip = lambda y: (1 - y).astype(np.int64)  # noqa: E731 (sklearn codes malignant as 0)
    return Split(split.x_train, flip(split.y_train), split.x_val, flip(split.y_val),
                 split.x_test, flip(split.y_test))


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
        self.fast = runtime.is_fast_mode() if self.fast is None else self.fast
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
        majority = int(np.bincount(y_train).argmax())
        prior = float(np.mean(y_train))  # the constant probability a calibrated input-blind model outputs
        train = binary_scores(y_train, np.full(len(y_train), prior))
        val = binary_scores(y_val, np.full(len(y_val), prior))
        val["accuracy"] = accuracy  # the student's function provides the baseline's accuracy
        val["precision"] = val["recall"] = float(majority == 1)
        self.probabilities["baseline"] = np.full(len(y_val), prior)
        name = f"always '{'malignant' if majority == 1 else 'benign'}'"
        return self._row("1 baseline", name, 0, "-", train, val)

    def first_model(self) -> dict:
        """Step 2: a small model (one hidden layer of 8) that should beat the baseline."""
        runtime.seed_everything(self.seed)
        model = build_classifier(self.x_train.shape[1], SMALL_UNITS)
        history = self._fit(model, self.size["small_epochs"])
        self.histories["small (8)"] = history
        self.probabilities["small (8)"] = _predict(model, self.x_val)
        return self._row("2 beat the baseline", "small (8)", _params(model), self.size["small_epochs"],
                         binary_scores(self.data.y_train, _predict(model, self.x_train)),
                         binary_scores(self.data.y_val, self.probabilities["small (8)"]))

    def scale_up(self) -> dict:
        """Step 3: a much larger model trained long enough to overfit."""
        runtime.seed_everything(self.seed)
        model = build_classifier(self.x_train.shape[1], LARGE_UNITS)
        history = self._fit(model, self.size["large_epochs"])
        self.histories["large (3 x 256)"] = history
        self.probabilities["large (3 x 256)"] = _predict(model, self.x_val)
        return self._row("3 scale up (overfits)", "large (3 x 256)", _params(model), self.size["large_epochs"],
                         binary_scores(self.data.y_train, _predict(model, self.x_train)),
                         binary_scores(self.data.y_val, self.probabilities["large (3 x 256)"]))

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
BN_DEPTH = 4
BN_UNITS = 64
BN_LEARNING_RATE = 0.01  # plain SGD, no momentum: the setting where normalization matters most
BN_FIRST_EPOCHS = 5  # claim 10 compares the mean validation loss over these first epochs
BN_NAMES = ("no batch norm", "batch norm")


def bn_sizes(fast: bool | None = None) -> dict[str, int]:
    fast = runtime.is_fast_mode() if fast is None else fast
    return {"epochs": BN_FIRST_EPOCHS, "batch_size": 32} if fast else {"epochs": 20, "batch_size": 32}


def build_bn_network(batch_norm: bool, n_features: int = 64, n_classes: int = 10, depth: int = BN_DEPTH,
                     units: int = BN_UNITS, learning_rate: float = BN_LEARNING_RATE, activation: str = "relu"):
    """``depth`` hidden blocks; with ``batch_norm`` each is Dense(no bias) -> BatchNormalization ->
    Activation, otherwise Dense with the activation. Plain SGD, sparse categorical crossentropy."""
    keras = runtime.import_keras()
    layers: list = [keras.Input(shape=(n_features,))]
    for _ in range(depth):
        if batch_norm:
            layers += [keras.layers.Dense(units, use_bias=False),  # BN's beta replaces the bias
                       keras.layers.BatchNormalization(),
                       keras.layers.Activation(activation)]
        else:
            layers.append(keras.layers.Dense(units, activation=activation))
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


_BN_CACHE: dict[tuple[int, bool], dict[str, Any]] = {}


def run_batchnorm_comparison(seed: int = 0, fast: bool | None = None) -> dict[str, Any]:
    """Histories of the same deep network with and without batch normalization (same seed, same
    data, same batch order) on the digits."""
    fast = runtime.is_fast_mode() if fast is None else fast
    key = (int(seed), bool(fast))
    if key in _BN_CACHE:
        return _BN_CACHE[key]
    size = bn_sizes(fast)
    split = load_digits_split(seed)
    histories = {}
    runtime.import_keras()
    for name in BN_NAMES:
        runtime.seed_everything(int(seed))
        with runtime.quiet_native_stderr():
            model = build_bn_network(name == "batch norm")
            histories[name] = model.fit(split.x_train, split.y_train, epochs=size["epochs"],
                                        batch_size=size["batch_size"], verbose=0,
                                        validation_data=(split.x_val, split.y_val))
    _BN_CACHE[key] = histories
    return histories


def first_epochs_val_loss(history: Any, k: int = BN_FIRST_EPOCHS) -> float:
    """Mean validation loss over the first ``k`` epochs."""
    return float(np.mean(history.history["val_loss"][:k]))


def measure_claim_10(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 10: batch normalization gives a lower validation loss over the first epochs."""
    plain, normed = [], []
    for seed in seeds:
        runs = run_batchnorm_comparison(seed, fast)
        plain.append(first_epochs_val_loss(runs["no batch norm"]))
        normed.append(first_epochs_val_loss(runs["batch norm"]))
    plain, normed = np.array(plain), np.array(normed)
    wins = int(np.sum(normed < plain))
    held = bool(wins == len(seeds))
    figures = {"first_epochs": BN_FIRST_EPOCHS, "mean_val_loss_no_bn": float(plain.mean()),
               "mean_val_loss_bn": float(normed.mean()), "seeds_where_bn_lower": wins}
    summary = (f"mean validation loss over the first {BN_FIRST_EPOCHS} epochs (digits, {BN_DEPTH} hidden "
               f"layers of {BN_UNITS}, SGD {BN_LEARNING_RATE}): batch norm {normed.mean():.3f} vs none "
               f"{plain.mean():.3f}; lower with batch norm in {wins}/{len(seeds)} seeds "
               f"(per seed: {', '.join(f'{b:.3f} vs {p:.3f}' for b, p in zip(normed, plain))})")
    return held, figures, summary


# ---------------------------------------------------------------------------- early stopping
def es_settings(fast: bool | None = None) -> dict[str, float]:
    """Claim 12's run: the large model with a small learning rate in the full run, so that the
    overfitting unfolds over tens of epochs; in fast mode Adam's default rate (it overfits
    after about two epochs) and fewer epochs."""
    fast = runtime.is_fast_mode() if fast is None else fast
    if fast:
        return {"learning_rate": 1e-3, "epochs": 6, "patience": 3, "batch_size": 32}
    return {"learning_rate": 1e-4, "epochs": 60, "patience": 5, "batch_size": 32}


@dataclass
class EarlyStoppingRun:
    """One seed: the early-stopped run and a run of the same model without early stopping."""

    seed: int
    patience: int
    history: Any
    stopped_epoch: int  # the epoch after which fit stopped (counted from 1)
    best_epoch: int  # the epoch whose weights were restored (counted from 1)
    restored_val_loss: float  # model.evaluate on validation after fit returned
    full_history: Any  # the same model trained for every epoch, no callback

    @property
    def val_losses(self) -> np.ndarray:
        return np.asarray(self.history.history["val_loss"], dtype=float)

    @property
    def full_val_losses(self) -> np.ndarray:
        return np.asarray(self.full_history.history["val_loss"], dtype=float)


_ES_CACHE: dict[tuple[int, bool], EarlyStoppingRun] = {}


def run_early_stopping(seed: int = 0, fast: bool | None = None) -> EarlyStoppingRun:
    """The large (overfitting) breast-cancer model with
    ``EarlyStopping(monitor="val_loss", patience=p, restore_best_weights=True)``."""
    fast = runtime.is_fast_mode() if fast is None else fast
    key = (int(seed), bool(fast))
    if key in _ES_CACHE:
        return _ES_CACHE[key]
    keras = runtime.import_keras()
    setting = es_settings(fast)
    patience = int(setting["patience"])
    data = load_cancer_data(seed)
    mean, std = data.x_train.mean(axis=0), data.x_train.std(axis=0)  # training statistics only
    x_train, x_val = (((part - mean) / np.where(std == 0, 1.0, std)).astype(np.float32)
                      for part in (data.x_train, data.x_val))
    fit_args = dict(batch_size=setting["batch_size"], verbose=0, validation_data=(x_val, data.y_val),
                    validation_batch_size=VAL_BATCH)
    runtime.seed_everything(int(seed))
    with runtime.quiet_native_stderr():
        model = build_classifier(x_train.shape[1], LARGE_UNITS, learning_rate=setting["learning_rate"])
        stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
        history = model.fit(x_train, data.y_train, epochs=setting["epochs"], callbacks=[stopper], **fit_args)
        restored = float(model.evaluate(x_val, data.y_val, batch_size=VAL_BATCH, verbose=0)[0])
    runtime.seed_everything(int(seed))
    with runtime.quiet_native_stderr():
        full_model = build_classifier(x_train.shape[1], LARGE_UNITS, learning_rate=setting["learning_rate"])
        full_history = full_model.fit(x_train, data.y_train, epochs=setting["epochs"], **fit_args)
    stopped = len(history.history["val_loss"])
    run = EarlyStoppingRun(int(seed), patience, history, stopped, int(stopper.best_epoch) + 1, restored,
                           full_history)
    _ES_CACHE[key] = run
    return run


def measure_claim_12(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 12: early stopping halts ``patience`` epochs after the lowest validation loss and, with
    best-weight restoring, keeps that epoch's validation loss.

    Per seed: the stop epoch against (epoch of the lowest validation loss seen + patience); the
    restored model's evaluated validation loss against the history's minimum (relative
    tolerance 1e-5); and, for context, the lowest and final validation loss of the same model
    trained for every epoch without the callback.
    """
    runs = [run_early_stopping(seed, fast) for seed in seeds]
    stop_ok, restore_ok, rows = [], [], []
    gaps, rel_errors, full_min_epochs, kept_vs_final = [], [], [], []
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
        full_min_epochs.append(int(np.argmin(run.full_val_losses)) + 1)
        kept_vs_final.append(run.full_val_losses[-1] - run.restored_val_loss)
        rows.append(f"seed {run.seed}: min at epoch {argmin_epoch}, stopped after {run.stopped_epoch}, restored "
                    f"val loss {run.restored_val_loss:.4f} vs min {losses.min():.4f}; without the callback the "
                    f"minimum is at epoch {full_min_epochs[-1]} and the last epoch ends at "
                    f"{run.full_val_losses[-1]:.4f}")
    held = bool(all(stop_ok) and all(restore_ok))
    figures = {"patience": runs[0].patience, "mean_stop_minus_argmin": float(np.mean(gaps)),
               "max_relative_restore_error": float(np.max(rel_errors)),
               "mean_best_epoch": float(np.mean([r.best_epoch for r in runs])),
               "mean_stop_epoch": float(np.mean([r.stopped_epoch for r in runs])),
               "mean_full_run_argmin_epoch": float(np.mean(full_min_epochs)),
               "seeds_where_best_is_full_run_min": int(sum(r.best_epoch == e for r, e in zip(runs, full_min_epochs))),
               "mean_final_minus_restored_val_loss": float(np.mean(kept_vs_final))}
    summary = (f"patience {runs[0].patience}: stop epoch - epoch of the lowest val loss = "
               f"{', '.join(str(g) for g in gaps)}; restored val loss equals the minimum to "
               f"{max(rel_errors):.1e} (relative); " + "; ".join(rows))
    return held, figures, summary


def plot_early_stopping(run: EarlyStoppingRun, ax: plt.Axes | None = None) -> plt.Axes:
    """Validation loss without the callback, and where early stopping stopped and what it kept."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, len(run.full_val_losses) + 1)
    sns.lineplot(x=epochs, y=run.full_val_losses, ax=ax, label="validation loss (trained every epoch)")
    sns.lineplot(x=epochs, y=np.asarray(run.full_history.history["loss"]), ax=ax, label="training loss",
                 linestyle="--")
    ax.axvline(run.best_epoch, color="green", linestyle=":", label=f"best epoch {run.best_epoch} (restored)")
    ax.axvline(run.stopped_epoch, color="red", linestyle=":",
               label=f"stopped after epoch {run.stopped_epoch} (patience {run.patience})")
    ax.scatter([run.best_epoch], [run.restored_val_loss], color="green", zorder=5,
               label=f"restored model: val loss {run.restored_val_loss:.3f}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("binary crossentropy")
    ax.set_title(f"Early stopping on the large model (seed {run.seed})")
    ax.set_ylim(0, min(1.0, float(np.max(run.full_val_losses)) * 1.3))
    ax.legend(fontsize=8)
    return ax


# ---------------------------------------------------------------------------- data augmentation
SHIFT = 0.125  # a fraction of the height and width: one pixel of an 8x8 digit
ROTATION = 0.03  # a fraction of a full turn: up to about 11 degrees either way
AUGMENTATIONS = {"no augmentation": (0.0, 0.0), "rotations": (0.0, ROTATION),
                 "shifts + rotations": (SHIFT, ROTATION)}


def augmentation_layers(seed: int = 0, shift: float = SHIFT, rotation: float = ROTATION):
    """Random shifts (``shift`` of the height/width) and rotations (``rotation`` of a full turn),
    as Keras preprocessing layers: active only in training."""
    keras = runtime.import_keras()
    layers = []
    if shift:
        layers.append(keras.layers.RandomTranslation(shift, shift, fill_mode="constant", seed=seed))
    if rotation:
        layers.append(keras.layers.RandomRotation(rotation, fill_mode="constant", seed=seed + 1))
    return keras.Sequential(layers, name="augmentation")


def augmented_examples(n_digits: int = 4, n_variants: int = 5, seed: int = 0, shift: float = SHIFT,
                       rotation: float = ROTATION) -> tuple[np.ndarray, np.ndarray]:
    """``n_digits`` digit images and ``n_variants`` random augmentations of each:
    returns (originals (n, 8, 8), variants (n, n_variants, 8, 8))."""
    images, labels = load_digit_images()
    rng = np.random.default_rng(seed)
    chosen = [int(rng.choice(np.flatnonzero(labels == digit))) for digit in rng.choice(10, n_digits, replace=False)]
    originals = images[chosen]
    layer = augmentation_layers(seed, shift, rotation)
    with runtime.quiet_native_stderr():
        batch = np.repeat(originals[:, None, :, :, None], n_variants, axis=1).reshape(-1, 8, 8, 1)
        variants = np.asarray(layer(batch, training=True)).reshape(n_digits, n_variants, 8, 8)
    return originals, variants


def plot_augmented_digits(originals: np.ndarray, variants: np.ndarray, title: str | None = None) -> plt.Figure:
    """A grid: each row one digit, the original first, then its random variants."""
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
    fig.suptitle(title or "Random shifts (up to 1 pixel) and rotations (up to 11°) of 8x8 digits")
    fig.tight_layout()
    return fig


def augmentation_sizes(fast: bool | None = None) -> dict[str, int]:
    fast = runtime.is_fast_mode() if fast is None else fast
    return {"n_train": 100, "epochs": 3} if fast else {"n_train": 100, "epochs": 80}


def build_digit_network(shift: float = 0.0, rotation: float = 0.0, seed: int = 0):
    """A dense network on 8x8 digit images (Flatten -> Dense(64, relu) -> softmax); with a shift or
    rotation the random layers come first (they act only in training)."""
    keras = runtime.import_keras()
    layers: list = [keras.Input(shape=(8, 8, 1))]
    if shift or rotation:
        layers.append(augmentation_layers(seed, shift, rotation))
    layers += [keras.layers.Flatten(), keras.layers.Dense(64, activation="relu"),
               keras.layers.Dense(10, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


_AUG_CACHE: dict[tuple[int, bool], dict[str, Any]] = {}


def run_augmentation_effect(seed: int = 0, fast: bool | None = None) -> dict[str, Any]:
    """The digit network trained on only ``n_train`` images without augmentation, with random
    rotations, and with random shifts + rotations; validated on the full validation split."""
    fast = runtime.is_fast_mode() if fast is None else fast
    key = (int(seed), bool(fast))
    if key in _AUG_CACHE:
        return _AUG_CACHE[key]
    size = augmentation_sizes(fast)
    split = load_digits_split(seed)
    x_train = split.x_train[:size["n_train"]].reshape(-1, 8, 8, 1)
    x_val = split.x_val.reshape(-1, 8, 8, 1)
    histories = {}
    for name, (shift, rotation) in AUGMENTATIONS.items():
        runtime.seed_everything(int(seed))
        with runtime.quiet_native_stderr():
            model = build_digit_network(shift, rotation, seed)
            histories[name] = model.fit(x_train, split.y_train[:size["n_train"]], epochs=size["epochs"],
                                        batch_size=32, verbose=0, validation_data=(x_val, split.y_val))
    _AUG_CACHE[key] = histories
    return histories
