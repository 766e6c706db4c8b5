"""Chapter 06: Monte Carlo dropout.

- Claim 9 (Monte Carlo dropout: accuracy and uncertainty) with chapter 05's dropout network on
  Fashion-MNIST, evaluated on the seed's validation images (the test images stay unused), with a
  seaborn figure of the spread on right and wrong predictions; :func:`run_mc_dropout` takes the
  student's ``mc_dropout_predict``.
- The batch-normalization caveat: forcing ``training=True`` also runs batch normalization in
  training mode; :func:`mc_dropout_layer_class` forces only dropout on.
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

from course import fashion, runtime
from course.data import load_digits_split
from course.spread import Spread

MCPredict = Callable[[Any, np.ndarray, int], tuple[np.ndarray, np.ndarray]]


def mc_sizes(fast: bool | None = None) -> dict[str, Any]:
    """Monte Carlo passes and the pass counts of the cost curve."""
    fast = runtime.fast_mode(fast)
    if fast:
        return {"n_passes": 30, "pass_counts": (1, 5, 30)}
    return {"n_passes": 100, "pass_counts": (1, 2, 5, 10, 20, 50, 100, 200)}


@dataclass
class TrainedClassifier:
    """Chapter 05's dropout network for one seed, its data, and its training loss without dropout."""

    seed: int
    model: Any
    history: dict[str, list[float]]
    x_train: np.ndarray
    y_train: np.ndarray
    x_eval: np.ndarray
    y_eval: np.ndarray
    train_loss_without_dropout: float
    seed_states: list = field(default_factory=list)

    @property
    def train_loss_with_dropout(self) -> float:
        """The last epoch's training loss as ``fit`` reports it: averaged over the epoch's batches,
        each computed with dropout on."""
        return float(self.history["loss"][-1])

    def reset_dropout_streams(self) -> None:
        """Put every dropout layer's random stream back where it was after training, so that Monte
        Carlo passes give the same draws whatever ran before."""
        for generator, state in self.seed_states:
            generator.state.assign(state)


_CLASSIFIER_CACHE: dict[tuple, TrainedClassifier] = {}


def train_dropout_classifier(seed: int = 0, fast: bool | None = None) -> TrainedClassifier:
    """Chapter 05's "dropout" network for ``seed`` (trained once, shared), evaluated on the seed's
    validation images; its training loss is re-evaluated without dropout (``model.evaluate``)."""
    from course import regularization

    fast = runtime.fast_mode(fast)
    key = (int(seed), bool(fast))
    if key in _CLASSIFIER_CACHE:
        return _CLASSIFIER_CACHE[key]
    size = fashion.task_size(fast)
    run = fashion.train(regularization.MODELS["dropout"], seed, size)
    split = fashion.make_split(int(seed), size)
    with runtime.quiet_native_stderr():
        train_loss_without = run.model.evaluate(split.x_train, split.y_train, batch_size=1000, verbose=0)[0]
    states = [(layer.seed_generator, np.asarray(layer.seed_generator.state).copy())
              for layer in run.model.layers if hasattr(layer, "seed_generator")]
    trained = TrainedClassifier(int(seed), run.model, run.history, split.x_train, split.y_train,
                                split.x_val, split.y_val, float(train_loss_without), states)
    _CLASSIFIER_CACHE[key] = trained
    return trained


@dataclass
class MCDropoutRun:
    """One seed: deterministic and Monte Carlo predictions of a trained dropout classifier."""

    seed: int
    n_passes: int
    classifier: TrainedClassifier
    deterministic_probs: np.ndarray
    mc_mean: np.ndarray
    mc_std: np.ndarray
    passes_curve: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def y_test(self) -> np.ndarray:
        return self.classifier.y_eval

    @property
    def deterministic_accuracy(self) -> float:
        return float(np.mean(self.deterministic_probs.argmax(axis=1) == self.y_test))

    @property
    def mc_accuracy(self) -> float:
        return float(np.mean(self.mc_mean.argmax(axis=1) == self.y_test))

    def log_loss(self, probs: np.ndarray) -> float:
        picked = probs[np.arange(len(self.y_test)), self.y_test]
        return float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))

    def frame(self) -> pd.DataFrame:
        """One row per evaluation sample: MC prediction right or wrong, and the spread of its class."""
        predicted = self.mc_mean.argmax(axis=1)
        rows = np.arange(len(predicted))
        return pd.DataFrame({
            "prediction": np.where(predicted == self.y_test, "right", "wrong"),
            "std of predicted class": self.mc_std[rows, predicted],
            "mean probability of predicted class": self.mc_mean[rows, predicted],
        })

    def std_by_outcome(self) -> dict[str, float]:
        means = self.frame().groupby("prediction")["std of predicted class"].mean()
        return {"right": float(means.get("right", np.nan)), "wrong": float(means.get("wrong", np.nan))}


def run_mc_dropout(seed: int = 0, fast: bool | None = None, *, mc_predict: MCPredict,
                   n_passes: int | None = None, pass_counts: Sequence[int] | None = None) -> MCDropoutRun:
    """Compare one deterministic pass of the trained dropout classifier with Monte Carlo dropout.

    ``mc_predict(model, X, n_passes) -> (mean, std)`` is the Monte Carlo prediction (the notebook
    passes the student's ``mc_dropout_predict``). The classifier comes from
    :func:`train_dropout_classifier` (shared); its dropout streams are reset before every Monte
    Carlo run, so the result does not depend on what ran before. ``pass_counts`` (default from
    :func:`mc_sizes`) gives the accuracy and wall time for several numbers of passes. (The
    trained classifier is cached; the passes, a second or two, are not: a cache would keep
    ``mc_predict`` where a student's code could find it.)
    """
    fast = runtime.fast_mode(fast)
    size = mc_sizes(fast)
    n_passes = int(n_passes or size["n_passes"])
    keras = runtime.import_keras()
    classifier = train_dropout_classifier(seed, fast)
    model, y_eval = classifier.model, classifier.y_eval
    with runtime.quiet_native_stderr():
        x_tensor = keras.ops.convert_to_tensor(classifier.x_eval)
        deterministic = np.asarray(model(x_tensor, training=False))
        classifier.reset_dropout_streams()
        mean, std = mc_predict(model, x_tensor, n_passes)
        curve = []
        for count in (pass_counts if pass_counts is not None else size["pass_counts"]):
            classifier.reset_dropout_streams()
            started = time.perf_counter()
            curve_mean, _ = mc_predict(model, x_tensor, int(count))
            curve.append({"passes": int(count), "seconds": time.perf_counter() - started,
                          "accuracy": float(np.mean(np.asarray(curve_mean).argmax(axis=1) == y_eval))})
    run = MCDropoutRun(int(seed), n_passes, classifier, deterministic,
                       np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64),
                       pd.DataFrame(curve))
    return run


def plot_mc_uncertainty(run: MCDropoutRun, *, title: str | None = None) -> plt.Figure:
    """Left: spread (std over passes) of the predicted class on right vs wrong predictions.
    Right: MC accuracy against the number of passes, with the deterministic accuracy."""
    frame = run.frame()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    order = ["right", "wrong"]
    sns.boxplot(data=frame, x="prediction", y="std of predicted class", hue="prediction", order=order,
                hue_order=order, showfliers=False, ax=axes[0], legend=False)
    sns.stripplot(data=frame, x="prediction", y="std of predicted class", order=order, color="black",
                  size=2.5, alpha=0.35, jitter=0.25, ax=axes[0])
    counts = frame["prediction"].value_counts()
    axes[0].set_xticks([0, 1], [f"{name} ({counts.get(name, 0)} samples)" for name in order])
    axes[0].set_xlabel("Monte Carlo prediction")
    axes[0].set_ylabel("std of the predicted class's probability")
    axes[0].set_title("Spread over the passes: right vs wrong predictions")
    curve = run.passes_curve
    if not curve.empty:
        sns.lineplot(data=curve, x="passes", y="accuracy", marker="o", ax=axes[1], label="MC dropout mean")
        axes[1].axhline(run.deterministic_accuracy, color="black", linestyle="--",
                        label="one deterministic pass")
        axes[1].set_xscale("log")
        axes[1].set_xlabel("number of passes (log scale)")
        axes[1].set_ylabel(f"accuracy on {len(run.y_test)} validation images")
        axes[1].set_title("Accuracy of the MC average vs the number of passes")
        axes[1].legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def mc_dropout_uncertainty_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 9: MC dropout is at least as accurate as one deterministic pass, and its standard
    deviation is larger on misclassified samples than on correct ones.

    Chapter 05's network with two ``Dropout(0.5)`` layers is evaluated for each seed on its
    validation images: once in inference mode (dropout off) and as the mean of ``n_passes``
    passes with dropout on. The spread of a sample is the standard deviation over the passes of
    the probability of its MC-predicted class. Held when, in every seed, the MC accuracy is at
    least the deterministic accuracy (ties count: no tolerance) and the mean spread on wrong
    predictions exceeds that on right ones.
    """
    def passes(model: Any, x: Any, count: int) -> tuple[np.ndarray, np.ndarray]:
        # Monte Carlo dropout: ``count`` calls with dropout on, their mean and spread
        outputs = np.stack([np.asarray(model(x, training=True)) for _ in range(count)])
        return outputs.mean(axis=0), outputs.std(axis=0)

    runs = [run_mc_dropout(int(seed), fast, mc_predict=passes, pass_counts=()) for seed in seeds]
    det = np.array([r.deterministic_accuracy for r in runs])
    mc = np.array([r.mc_accuracy for r in runs])
    spreads = [r.std_by_outcome() for r in runs]
    std_right = np.array([s["right"] for s in spreads])
    std_wrong = np.array([s["wrong"] for s in spreads])
    at_least = int(np.sum(mc >= det))
    larger = int(np.sum(std_wrong > std_right))
    held = bool(at_least == len(runs) and larger == len(runs))
    diffs = 100 * (mc - det)
    figures = {
        "deterministic_accuracy": float(det.mean()), "mc_accuracy": float(mc.mean()),
        "min_accuracy_difference_pp": float(diffs.min()), "max_accuracy_difference_pp": float(diffs.max()),
        "seeds_mc_at_least_as_accurate": float(at_least),
        "std_right": float(std_right.mean()), "std_wrong": float(std_wrong.mean()),
        "seeds_std_wrong_larger": float(larger),
        "log_loss_deterministic": float(np.mean([r.log_loss(r.deterministic_probs) for r in runs])),
        "log_loss_mc": float(np.mean([r.log_loss(r.mc_mean) for r in runs])),
        "n_passes": float(runs[0].n_passes), "evaluation_samples": float(len(runs[0].y_test)),
        **Spread.of(det).figures("deterministic_accuracy"), **Spread.of(mc).figures("mc_accuracy"),
        **Spread.of(std_right).figures("std_right"), **Spread.of(std_wrong).figures("std_wrong"),
        **Spread.of(r.classifier.train_loss_with_dropout for r in runs).figures("train_loss_with_dropout"),
        **Spread.of(r.classifier.train_loss_without_dropout for r in runs).figures("train_loss_without_dropout"),
        **Spread.of(r.classifier.history["val_loss"][-1] for r in runs).figures("final_val_loss"),
    }
    summary = (f"accuracy on {len(runs[0].y_test)} validation images: deterministic {det.mean():.4f}, MC dropout "
               f"({runs[0].n_passes} passes) {mc.mean():.4f}; per-seed MC minus deterministic "
               + ", ".join(f"{d:+.2f}" for d in diffs)
               + f" points (one sample = {100 / len(runs[0].y_test):.2f}); MC at least as accurate in "
               f"{at_least}/{len(runs)} seeds; std of the predicted class {std_right.mean():.3f} on right vs "
               f"{std_wrong.mean():.3f} on wrong predictions (larger on wrong in {larger}/{len(runs)} seeds); "
               f"log loss {figures['log_loss_deterministic']:.3f} vs {figures['log_loss_mc']:.3f}")
    return held, figures, summary


# ---------------------------------------------------------------------------- batch normalization caveat
_MC_DROPOUT_CLASS: list = []


def mc_dropout_layer_class():
    """``MCDropout``: a ``Dropout`` that stays on at inference (defined on first use).

    Use it instead of calling the whole model with ``training=True`` when the model also holds
    layers that behave differently in training (batch normalization): only dropout is forced on.
    """
    if _MC_DROPOUT_CLASS:
        return _MC_DROPOUT_CLASS[0]
    keras = runtime.import_keras()

    class MCDropout(keras.layers.Dropout):
        def call(self, inputs, training=None):
            return super().call(inputs, training=True)

    _MC_DROPOUT_CLASS.append(MCDropout)
    return MCDropout


def batchnorm_caveat(seed: int = 0, n_passes: int = 30, epochs: int = 3) -> pd.DataFrame:
    """What forcing ``training=True`` does to a model with batch normalization.

    Trains a small Dense -> BatchNormalization -> ReLU -> Dropout classifier on digits, then runs
    ``n_passes`` Monte Carlo passes two ways: ``model(X, training=True)`` (batch normalization in
    training mode too) and a copy whose Dropout layers are :func:`mc_dropout_layer_class` called
    in inference mode. For each way the table reports how far the moving mean of the batch
    normalization moved during the passes, and how the prediction for one sample changes when it
    is passed alone instead of inside the batch.
    """
    keras = runtime.import_keras()
    layers = keras.layers
    MCDropout = mc_dropout_layer_class()
    split = load_digits_split(seed)  # small and quick: the caveat is about the layers, not the data
    x_train, y_train, x_eval = split.x_train, split.y_train, split.x_val

    def build(dropout_layer):
        return keras.Sequential([
            keras.Input(shape=(x_train.shape[1],)),
            layers.Dense(64, use_bias=False), layers.BatchNormalization(), layers.Activation("relu"),
            dropout_layer(0.3), layers.Dense(10, activation="softmax"),
        ])

    runtime.seed_everything(int(seed))
    rows = []
    with runtime.quiet_native_stderr():
        model = build(layers.Dropout)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
        mc_model = build(MCDropout)
        mc_model.set_weights(model.get_weights())
        x_batch = keras.ops.convert_to_tensor(x_eval[:200])
        x_alone = keras.ops.convert_to_tensor(x_eval[:1])
        for label, net, training in (("model(X, training=True)", model, True),
                                     ("MCDropout layers, model(X)", mc_model, False)):
            bn = next(layer for layer in net.layers if layer.__class__.__name__ == "BatchNormalization")
            before = np.asarray(bn.moving_mean).copy()
            in_batch = np.mean([np.asarray(net(x_batch, training=training))[0] for _ in range(n_passes)], axis=0)
            alone = np.mean([np.asarray(net(x_alone, training=training))[0] for _ in range(n_passes)], axis=0)
            rows.append({
                "Monte Carlo passes with": label,
                "moving mean moved by (max)": float(np.max(np.abs(np.asarray(bn.moving_mean) - before))),
                "sample 0 alone vs in a batch (max prob. difference)": float(np.max(np.abs(in_batch - alone))),
            })
    return pd.DataFrame(rows)
