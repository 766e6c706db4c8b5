"""Chapter 07's universal workflow end to end on the breast-cancer data (malignant = 1, the
positive class): :class:`Workflow` runs a naive baseline, a first small model that beats it, a
large model that overfits, regularized candidates tuned on validation with early stopping, and the
chosen one retrained on training + validation data and evaluated once on the test set. Every step
adds a row to a pandas results table; :func:`plot_roc_and_pr` draws the models' curves.

The baseline step takes the student's ``naive_baseline`` (nothing here implements it), and
features are standardized inline (training statistics only).
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
from course.data import Split, load_cancer_data

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
