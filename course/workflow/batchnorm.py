"""Chapter 07's batch normalization on Fashion-MNIST (:mod:`course.fashion`):
:func:`run_batchnorm_comparison` trains a 4 x 100 network plain (ReLU), with Dense ->
BatchNormalization -> ReLU blocks and with Dense -> BatchNormalization -> LeakyReLU(0.2) blocks,
with SGD (claim 10) or Adam (claim 18), over several seeds; :func:`plot_batchnorm_curves` draws
them. Runs are cached by :func:`course.fashion.train`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from course import fashion, runtime
from course.spread import Spread, consistently_positive, figures_of, labelled, paired_effect

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
