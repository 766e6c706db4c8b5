"""Chapter 06 experiments: dropout, Monte Carlo dropout, alpha dropout, recurrent dropout.

What lives here:

- Claim 6 (dropout delays overfitting), measured on chapter 05's comparison runs
  (:func:`course.regularization.run_comparison`, models "baseline" and "dropout").
- Claim 7 (inverted dropout keeps the expected activation; the identity at inference), with
  Keras's ``Dropout`` layer; :func:`expected_activation_table` adds the student's NumPy
  ``dropout_forward``.
- Claim 9 (Monte Carlo dropout: accuracy and uncertainty) with chapter 05's dropout network on
  Fashion-MNIST, evaluated on the seed's validation images (the test images stay unused), with a
  seaborn figure of the spread on right and wrong predictions; :func:`run_mc_dropout` takes the
  student's ``mc_dropout_predict``.
- Claim 17 (validation loss is U-shaped in the dropout rate): :func:`dropout_sweep`.
- Alpha dropout in a self-normalizing (SELU) stack, the batch-normalization caveat of Monte
  Carlo dropout, and recurrent models (recurrent dropout, stacked and bidirectional layers) on
  digits read row by row as sequences of 8 steps of 8 pixels.

Sizes come from the ``*_sizes(fast)`` functions: the full size is what the notebook's text
quotes; the fast size keeps grading and CI quick.

Nothing here implements a graded function (the students' ``dropout_mask``, ``dropout_forward``,
``dropout_backward``, ``mc_dropout_predict``): a student's code can import this package, so
experiments that need one take it as an argument, and the claims use Keras's own layers.
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
from course.data import load_digit_sequences, load_digits_split
from course.spread import Spread, consistently_positive, every_seed, figures_of, paired_effect

MCPredict = Callable[[Any, np.ndarray, int], tuple[np.ndarray, np.ndarray]]


# ---------------------------------------------------------------------------- claim 7
def _keras_dropout(a: np.ndarray, rate: float, seed: int, training: bool) -> np.ndarray:
    keras = runtime.import_keras()
    with runtime.quiet_native_stderr():
        layer = keras.layers.Dropout(rate, seed=seed)
        return np.asarray(layer(keras.ops.convert_to_tensor(a), training=training))


def expected_activation_table(forward: Callable | None, rates: Sequence[float] = (0.2, 0.5),
                              size: int = 1_000_000, seed: int = 0) -> pd.DataFrame:
    """Mean output / mean input of Keras's ``Dropout`` and of ``forward`` on positive activations.

    ``forward(a, rate, rng, training)`` is a NumPy inverted dropout (the notebook passes the
    student's ``dropout_forward``); ``None`` gives Keras's rows only. Each row also holds the
    standard error of the ratio (from the data), the share of entries kept, and whether
    inference mode returned the input exactly.
    """
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.0, 1.0, size=(size // 1000, 1000)).astype(np.float32)
    rows = []
    for rate in rates:
        # sd of the mean of a*m/(1-rate), relative to mean(a): sqrt(E[a^2] rate/(1-rate) / n) / E[a]
        std_error = float(np.sqrt(np.mean(a.astype(np.float64) ** 2) * rate / (1 - rate) / a.size)
                          / np.mean(a, dtype=np.float64))
        outputs = [("keras Dropout", _keras_dropout(a, rate, seed, training=True),
                    _keras_dropout(a, rate, seed, training=False))]
        if forward is not None:
            # the masks' generator must not be the one that drew a (the same stream would correlate them)
            out, _ = forward(a, rate, np.random.default_rng([seed, 1]), training=True)
            infer, _ = forward(a, rate, np.random.default_rng([seed, 1]), training=False)
            outputs.append(("NumPy", np.asarray(out), np.asarray(infer)))
        for source, train_out, infer_out in outputs:
            rows.append({
                "implementation": source, "rate": rate,
                "mean ratio": float(np.mean(train_out, dtype=np.float64) / np.mean(a, dtype=np.float64)),
                "std error": std_error,
                "kept share": float(np.mean(train_out != 0)),
                "identity at inference": bool(np.array_equal(infer_out, a)),
            })
    return pd.DataFrame(rows)


def inverted_dropout_sizes(fast: bool | None = None) -> dict[str, int]:
    fast = runtime.fast_mode(fast)
    return {"size": 200_000 if fast else 1_000_000}


def inverted_dropout_expectation_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 7: inverted dropout keeps the expected activation; at inference it is the identity.

    For each seed and rate (0.2 and 0.5), Keras's ``Dropout`` (an inverted dropout) is applied in
    training mode to ``size`` positive activations drawn with that seed. Held when every ratio
    mean(output) / mean(input) is within 6 standard errors of 1 (the standard error is computed
    from the data) and every inference-mode output equals its input exactly. (The notebook's
    table adds the student's NumPy ``dropout_forward``: :func:`expected_activation_table`.)
    """
    size = inverted_dropout_sizes(fast)["size"]
    tables = [expected_activation_table(None, rates=(0.2, 0.5), size=size, seed=int(seed)) for seed in seeds]
    table = pd.concat(tables, ignore_index=True)
    deviation = (table["mean ratio"] - 1).abs() / table["std error"]
    held = bool((deviation <= 6).all() and table["identity at inference"].all())
    figures = {
        "mean_ratio_keras": float(table["mean ratio"].mean()),
        "max_abs_ratio_minus_1": float((table["mean ratio"] - 1).abs().max()),
        "max_deviation_in_std_errors": float(deviation.max()),
        "inference_identity_share": float(table["identity at inference"].mean()),
        "activations_per_run": float(size),
    }
    summary = (f"mean(output)/mean(input) of Keras's Dropout in training mode: {figures['mean_ratio_keras']:.4f} "
               f"(largest deviation from 1: {figures['max_abs_ratio_minus_1']:.4f} = "
               f"{figures['max_deviation_in_std_errors']:.1f} standard errors, {size:,} activations, rates 0.2 "
               f"and 0.5); inference mode returned the input exactly in "
               f"{table['identity at inference'].sum()}/{len(table)} runs")
    return held, figures, summary


# ---------------------------------------------------------------------------- claims 6 and 17
DROPOUT_SWEEP = (0.0, 0.2, 0.5, 0.7, 0.9)  # claim 17: from no dropout to nearly every unit off


def comparison_run(seed: int = 0, fast: bool | None = None, task: str = "fashion"):
    """Chapter 05's comparison for ``seed`` with the "baseline" and "dropout" models.

    The runs are cached by :func:`course.fashion.train`, so when claims 3-5 (or the chapter 05
    notebook) already trained them in this process they are not trained again.
    """
    from course import regularization

    return regularization.run_comparison(seed, fast, names=("baseline", "dropout"), task=task)


def dropout_delays_overfitting_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 6: dropout delays overfitting (later lowest validation loss, lower final one).

    Measured on chapter 05's comparison: the "baseline" and "dropout" models share architecture,
    data and initial seed. Held when, in every seed, dropout's best epoch is later than the
    baseline's and its validation cross-entropy at the end of training is lower.
    """
    runs = [comparison_run(int(seed), fast) for seed in seeds]
    base = [r.runs["baseline"] for r in runs]
    drop = [r.runs["dropout"] for r in runs]
    later = [d.best_epoch > b.best_epoch for b, d in zip(base, drop)]
    spreads = {(label, figure): fashion.spread_of(group, figure)
               for label, group in (("baseline", base), ("dropout", drop))
               for figure in ("best_epoch", "end_val_ce", "min_val_ce", "end_val_accuracy")}
    gain = paired_effect(spreads["baseline", "end_val_ce"], spreads["dropout", "end_val_ce"])
    held = every_seed(later) and consistently_positive(gain)
    figures = {"epochs": float(len(base[0].val_ce)), "seeds_dropout_best_later": float(sum(later)),
               **gain.figures("dropout_lower_by")}
    figures.update(figures_of({f"{figure}_{label}": spread for (label, figure), spread in spreads.items()}))
    summary = (f"lowest validation loss at epoch {spreads['baseline', 'best_epoch'].format('.1f')} (baseline) vs "
               f"{spreads['dropout', 'best_epoch'].format('.1f')} (dropout), later in {sum(later)}/{len(runs)} seeds; "
               f"validation cross-entropy at the end {spreads['baseline', 'end_val_ce']} vs "
               f"{spreads['dropout', 'end_val_ce']} (lower by {gain}, paired); accuracy at the end "
               f"{spreads['baseline', 'end_val_accuracy']} vs {spreads['dropout', 'end_val_accuracy']} "
               f"({int(figures['epochs'])} epochs)")
    return held, figures, summary


def dropout_sweep(seeds: Sequence[int], fast: bool | None = None, rates: Sequence[float] = DROPOUT_SWEEP,
                  verbose: int = 0) -> pd.DataFrame:
    """One row per (rate, seed): final validation cross-entropy and accuracy of the 512-512 network
    with ``Dropout(rate)`` after each hidden layer."""
    size = fashion.task_size(fast)
    rows = []
    for rate in rates:
        for seed in seeds:
            run = fashion.train(fashion.NetworkSpec(dropout=float(rate)), seed, size, verbose=verbose)
            rows.append({"dropout rate": float(rate), "seed": int(seed), "val crossentropy": run.end_val_ce,
                         "val accuracy": run.end_val_accuracy, "best epoch": run.best_epoch})
    return pd.DataFrame(rows)


def dropout_rate_u_shape_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 17: validation loss is U-shaped in the dropout rate (see
    :func:`course.regularization.is_u_shaped`)."""
    from course.regularization import is_u_shaped, sweep_figures

    frame = dropout_sweep(seeds, fast)
    losses, figures, summary = sweep_figures(frame, "dropout rate", lambda rate: fashion.NetworkSpec(dropout=rate),
                                             fast, "best_rate")
    return is_u_shaped(losses), figures, summary


# ---------------------------------------------------------------------------- Monte Carlo dropout (claim 9)
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


# ---------------------------------------------------------------------------- alpha dropout and SELU
def selu_stack_statistics(kinds: Sequence[str] = ("no dropout", "Dropout", "AlphaDropout"),
                          depth: int = 20, width: int = 256, rate: float = 0.1, n_samples: int = 2000,
                          seed: int = 0) -> pd.DataFrame:
    """Mean and standard deviation of the activations through a deep SELU stack, in training mode.

    Every block is ``Dense(width, activation="selu", kernel_initializer="lecun_normal")`` followed
    by nothing, ``Dropout(rate)`` or ``AlphaDropout(rate)``; the input is standard normal. The
    weights are the same for every kind (untrained: self-normalization is a property of the
    initialization and the activation). Returns a long table (kind, layer, statistic, value).
    """
    keras = runtime.import_keras()
    layers = keras.layers
    runtime.seed_everything(int(seed))
    x = np.random.default_rng(seed).standard_normal((n_samples, width)).astype(np.float32)
    with runtime.quiet_native_stderr():
        dense = [layers.Dense(width, activation="selu", kernel_initializer="lecun_normal") for _ in range(depth)]
        drops = {"no dropout": None,
                 "Dropout": [layers.Dropout(rate, seed=seed + i) for i in range(depth)],
                 "AlphaDropout": [layers.AlphaDropout(rate, seed=seed + i) for i in range(depth)]}
        rows = []
        for kind in kinds:
            h = keras.ops.convert_to_tensor(x)
            for i in range(depth):
                h = dense[i](h)
                if drops[kind] is not None:
                    h = drops[kind][i](h, training=True)
                values = np.asarray(h)
                rows.append({"kind": kind, "layer": i + 1, "statistic": "mean", "value": float(values.mean())})
                rows.append({"kind": kind, "layer": i + 1, "statistic": "std", "value": float(values.std())})
    return pd.DataFrame(rows)


def plot_selu_stack(frame: pd.DataFrame, *, title: str | None = None) -> plt.Figure:
    """Two panels (mean, std) of :func:`selu_stack_statistics` per layer, one colour per kind."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    for ax, statistic, target in zip(axes, ("mean", "std"), (0.0, 1.0)):
        sns.lineplot(data=frame[frame["statistic"] == statistic], x="layer", y="value", hue="kind",
                     marker="o", ax=ax)
        ax.axhline(target, color="black", linewidth=0.8, linestyle=":")
        ax.set_xlabel("layer (Dense + SELU, then dropout in training mode)")
        ax.set_ylabel(f"{statistic} of the activations")
        ax.set_title(f"{statistic} through the stack")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def dropout_moments(rate: float = 0.2, n: int = 1_000_000, seed: int = 0) -> pd.DataFrame:
    """Mean and std of standard-normal activations after Dropout and AlphaDropout (training mode)."""
    keras = runtime.import_keras()
    x = np.random.default_rng(seed).standard_normal((n // 1000, 1000)).astype(np.float32)
    rows = [{"layer": "input (standard normal)", "mean": float(x.mean()), "std": float(x.std())}]
    with runtime.quiet_native_stderr():
        for name, layer in (("Dropout", keras.layers.Dropout(rate, seed=seed)),
                            ("AlphaDropout", keras.layers.AlphaDropout(rate, seed=seed))):
            out = np.asarray(layer(keras.ops.convert_to_tensor(x), training=True))
            rows.append({"layer": f"{name}({rate})", "mean": float(out.mean()), "std": float(out.std())})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- recurrent dropout
SEQUENCE_MODELS = ("GRU", "GRU + dropout", "stacked GRU + dropout", "bidirectional GRU + dropout")


def sequence_sizes(fast: bool | None = None) -> dict[str, Any]:
    """Training size of the sequence models; fast mode trains only two of them, briefly."""
    fast = runtime.fast_mode(fast)
    if fast:
        return {"n_train": 250, "epochs": 3, "batch_size": 32, "units": 32, "rate": 0.25,
                "models": ("GRU", "GRU + dropout")}
    return {"n_train": 250, "epochs": 40, "batch_size": 16, "units": 64, "rate": 0.25,
            "models": SEQUENCE_MODELS}


def time_step_masks(batch: int, steps: int, features: int, rate: float, rng: np.random.Generator,
                    same_mask_each_step: bool) -> np.ndarray:
    """0/1 keep masks of shape (batch, steps, features) for dropout on a sequence.

    ``same_mask_each_step=True`` draws one mask per sequence and repeats it at every step (what
    Keras's recurrent layers do for ``dropout`` and ``recurrent_dropout``); False draws a new
    mask at each step (what a ``Dropout`` layer applied to a sequence does).
    """
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must satisfy 0 <= rate < 1, got {rate}")
    if same_mask_each_step:
        one = (rng.random((batch, 1, features)) >= rate).astype(np.float64)
        return np.repeat(one, steps, axis=1)
    return (rng.random((batch, steps, features)) >= rate).astype(np.float64)


def plot_time_step_masks(rate: float = 0.25, seed: int = 0, steps: int = 8, features: int = 16) -> plt.Figure:
    """Heat maps of one sequence's keep mask: a new mask per step vs the same mask at every step."""
    rng = np.random.default_rng(seed)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), sharey=True)
    for ax, same in zip(axes, (False, True)):
        mask = time_step_masks(1, steps, features, rate, rng, same_mask_each_step=same)[0]
        sns.heatmap(mask, cbar=False, cmap="Greys_r", vmin=0, vmax=1, linewidths=0.5, linecolor="grey", ax=ax)
        ax.set_xlabel("unit (feature)")
        ax.set_ylabel("time step")
        ax.set_title(("same mask at every step (recurrent dropout)" if same
                      else "new mask at every step") + f", rate {rate}")
    fig.suptitle("Which units are kept (white) or dropped (black) along one sequence")
    fig.tight_layout()
    return fig


def build_sequence_model(name: str, units: int = 64, rate: float = 0.25, steps: int = 8,
                         features: int = 8, n_classes: int = 10):
    """One of :data:`SEQUENCE_MODELS`: GRU layers, with ``dropout`` and ``recurrent_dropout``
    equal to ``rate`` except for the plain "GRU"; a softmax output."""
    keras = runtime.import_keras()
    layers = keras.layers
    if name not in SEQUENCE_MODELS:
        raise ValueError(f"unknown sequence model {name!r}; choose one of {SEQUENCE_MODELS}")
    regularized = {"dropout": rate, "recurrent_dropout": rate}
    body = {
        "GRU": [layers.GRU(units)],
        "GRU + dropout": [layers.GRU(units, **regularized)],
        # every recurrent layer but the last returns its whole output sequence
        "stacked GRU + dropout": [layers.GRU(units, return_sequences=True, **regularized),
                                  layers.GRU(units, **regularized)],
        "bidirectional GRU + dropout": [layers.Bidirectional(layers.GRU(units, **regularized))],
    }[name]
    model = keras.Sequential([keras.Input(shape=(steps, features)), *body,
                              layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


_SEQUENCE_CACHE: dict[tuple, dict[str, Any]] = {}


def run_sequence_models(seed: int = 0, fast: bool | None = None,
                        names: Sequence[str] | None = None) -> dict[str, Any]:
    """Train each model of ``names`` (default: the size's models) on the digit sequences; Keras
    histories by name (cached)."""
    fast = runtime.fast_mode(fast)
    size = sequence_sizes(fast)
    names = tuple(names or size["models"])
    key = (int(seed), bool(fast), tuple(names))
    if key in _SEQUENCE_CACHE:
        return _SEQUENCE_CACHE[key]
    data = load_digit_sequences(seed, size["n_train"])
    histories = {}
    for name in names:
        runtime.seed_everything(int(seed))
        with runtime.quiet_native_stderr():
            model = build_sequence_model(name, size["units"], size["rate"])
            histories[name] = model.fit(data.x_train, data.y_train, epochs=size["epochs"],
                                        batch_size=size["batch_size"],
                                        validation_data=(data.x_val, data.y_val), verbose=0)
    _SEQUENCE_CACHE[key] = histories
    return histories


def sequence_output_shapes(units: int = 16, batch: int = 4, seed: int = 0) -> pd.DataFrame:
    """Output shape of a GRU with and without ``return_sequences`` and of a ``Bidirectional`` GRU on
    a small batch of digit sequences (shape (batch, 8, 8)); no training."""
    keras = runtime.import_keras()
    layers = keras.layers
    x = load_digit_sequences(seed, 10).x_train[:batch]
    runtime.seed_everything(int(seed))
    rows = []
    with runtime.quiet_native_stderr():
        for label, layer in ((f"GRU({units})", layers.GRU(units)),
                             (f"GRU({units}, return_sequences=True)", layers.GRU(units, return_sequences=True)),
                             (f"Bidirectional(GRU({units}))", layers.Bidirectional(layers.GRU(units))),
                             (f"Bidirectional(GRU({units}, return_sequences=True))",
                              layers.Bidirectional(layers.GRU(units, return_sequences=True)))):
            rows.append({"layer": label, "input shape": str(x.shape),
                         "output shape": str(tuple(np.asarray(layer(x)).shape))})
    return pd.DataFrame(rows).set_index("layer")


def sequence_summary(histories: dict[str, Any]) -> pd.DataFrame:
    """Per model: final training loss, lowest and final validation loss, the epoch of the lowest,
    and the final validation accuracy."""
    rows = []
    for name, history in histories.items():
        record = history.history
        val = np.asarray(record["val_loss"])
        rows.append({"model": name, "final train loss (as fit reports it)": record["loss"][-1],
                     "lowest val loss": float(val.min()), "at epoch": int(np.argmin(val)) + 1,
                     "final val loss": float(val[-1]), "final val accuracy": record["val_accuracy"][-1]})
    return pd.DataFrame(rows).set_index("model")
