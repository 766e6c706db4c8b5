"""Chapter 07's optimizer comparison (claim 15): one network, five Keras optimizers, five seeds.

The 512-512 network of chapters 04-06 (:data:`course.fashion.BASELINE`) is trained on each seed's
Fashion-MNIST split with plain SGD, SGD with momentum 0.9, RMSprop, Adam and Nadam, each at Keras's
default learning rate. A seed gives every optimizer the same images, the same initial weights and
the same batch order, so the comparison is paired by seed (:mod:`course.spread`). Claim 15 compares
the mean validation cross-entropy over the first :data:`FIRST_EPOCHS` epochs: it holds when
RMSprop and Adam are each below plain SGD on every seed.

Only the experiment lives here: the update rules are the chapter's exercises, and the runs use
Keras's own optimizers (:func:`course.fashion.make_optimizer`).
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

# optimizer key of course.fashion -> label in plots and tables
OPTIMIZERS: dict[str, str] = {"sgd": "SGD", "sgd_momentum": f"SGD + momentum {fashion.MOMENTUM:g}",
                              "rmsprop": "RMSprop", "adam": "Adam", "nadam": "Nadam"}
FIRST_EPOCHS = 3  # claim 15 compares the mean validation cross-entropy over these first epochs
OPTIM_FULL = fashion.with_size(fashion.FULL, epochs=10)  # 5,000 + 5,000 images, batches of 128
OPTIM_FAST = fashion.TaskSize(n_train=500, n_val=500, epochs=2)
CLAIM_15_BEATEN_BY = ("rmsprop", "adam")  # the claim: each of these below plain SGD


def optim_size(fast: bool | None = None) -> fashion.TaskSize:
    """:data:`OPTIM_FULL` or :data:`OPTIM_FAST` (``fast=None`` follows :func:`course.runtime.is_fast_mode`)."""
    fast = runtime.fast_mode(fast)
    return OPTIM_FAST if fast else OPTIM_FULL


def first_epochs_val_ce(run: fashion.Run, k: int = FIRST_EPOCHS) -> float:
    """Mean validation cross-entropy over the first ``k`` epochs of ``run`` (all of them if fewer)."""
    return float(np.mean(run.val_ce[:k]))


@dataclass
class OptimizerComparison:
    """The baseline network trained with every optimizer of :data:`OPTIMIZERS`, one run per seed."""

    runs: dict[str, list[fashion.Run]]

    @property
    def seeds(self) -> list[int]:
        return [run.seed for run in next(iter(self.runs.values()))]

    @property
    def size(self) -> fashion.TaskSize:
        return next(iter(self.runs.values()))[0].size

    def first_epochs(self, optimizer: str, k: int = FIRST_EPOCHS) -> Spread:
        """Mean validation cross-entropy over the first ``k`` epochs, over the seeds."""
        return Spread.of(first_epochs_val_ce(run, k) for run in self.runs[optimizer])

    def final(self, optimizer: str, figure: str = "final_val_ce") -> Spread:
        """A :class:`course.fashion.Run` figure of ``optimizer`` over the seeds."""
        return fashion.spread_of(self.runs[optimizer], figure)

    def below_sgd(self, optimizer: str, k: int = FIRST_EPOCHS) -> Spread:
        """Per seed, plain SGD's first-epochs validation cross-entropy minus ``optimizer``'s."""
        return paired_effect(self.first_epochs("sgd", k), self.first_epochs(optimizer, k))

    def curves(self) -> pd.DataFrame:
        """Long table: optimizer label, seed, epoch (from 1), training and validation cross-entropy."""
        rows = [{"optimizer": OPTIMIZERS[name], "seed": run.seed, "epoch": epoch,
                 "train crossentropy": train, "val crossentropy": val}
                for name, runs in self.runs.items() for run in runs
                for epoch, (train, val) in enumerate(zip(run.train_ce, run.val_ce), 1)]
        return pd.DataFrame(rows)

    def table(self) -> pd.DataFrame:
        """One row per optimizer: learning rate and the figures over the seeds, ``mean (min-max)``."""
        return pd.DataFrame([{
            "optimizer": OPTIMIZERS[name], "learning rate": fashion.DEFAULT_LEARNING_RATES[name],
            f"val CE, first {FIRST_EPOCHS} epochs": self.first_epochs(name).format(".3f"),
            "below SGD by (paired)": "" if name == "sgd" else self.below_sgd(name).format(".3f"),
            f"val CE, epoch {self.size.epochs}": self.final(name).format(".3f"),
            f"val accuracy, epoch {self.size.epochs}": self.final(name, "final_val_accuracy").format(".3f"),
        } for name in self.runs]).set_index("optimizer")


def run_optimizer_comparison(seeds: Sequence[int] = (0,), fast: bool | None = None,
                             verbose: int = 0) -> OptimizerComparison:
    """Train the baseline network with every optimizer of :data:`OPTIMIZERS` on every seed
    (runs are cached by :func:`course.fashion.train`)."""
    size = optim_size(fast)
    return OptimizerComparison({name: [fashion.train(fashion.NetworkSpec(optimizer=name), int(seed), size,
                                                     verbose=verbose) for seed in seeds]
                                for name in OPTIMIZERS})


def plot_optimizer_curves(comparison: OptimizerComparison, k: int = FIRST_EPOCHS) -> plt.Figure:
    """Training and validation cross-entropy per epoch, one colour per optimizer: the mean over the
    seeds as a line, the lowest-to-highest seed as a band; the first ``k`` epochs shaded."""
    frame = comparison.curves()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
    for ax, column in zip(axes, ("train crossentropy", "val crossentropy")):
        sns.lineplot(data=frame, x="epoch", y=column, hue="optimizer", hue_order=list(OPTIMIZERS.values()),
                     estimator="mean", errorbar=("pi", 100), marker="o", ax=ax)
        ax.axvspan(0.75, k + 0.25, color="grey", alpha=0.1)
        ax.set_ylabel(column.replace("crossentropy", "cross-entropy"))
        ax.set_title(f"{column.split()[0]}ing" if column.startswith("train") else "validation")
        ax.legend(fontsize=8)
    fig.suptitle(f"Fashion-MNIST, 512-512 network, Keras's default learning rates, {len(comparison.seeds)} "
                 f"seed(s) (band: lowest to highest; shaded: first {k} epochs)")
    fig.tight_layout()
    return fig


def adaptive_optimizers_early_loss_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 15: at Keras's default learning rates, RMSprop and Adam each have a lower mean validation
    cross-entropy over the first epochs than plain SGD, in every seed (the paired effect, SGD minus
    the other, is above zero over its whole range). Momentum and Nadam are reported beside them."""
    comparison = run_optimizer_comparison(seeds, fast)
    size = comparison.size
    figures: dict[str, float] = {"first_epochs": min(FIRST_EPOCHS, size.epochs), "epochs": size.epochs,
                                 "n_train": size.n_train}
    for name in OPTIMIZERS:
        figures.update(figures_of({f"first_epochs_val_ce_{name}": comparison.first_epochs(name),
                                   f"final_val_ce_{name}": comparison.final(name),
                                   f"final_val_accuracy_{name}": comparison.final(name, "final_val_accuracy")}))
        if name != "sgd":
            figures.update(figures_of({f"{name}_below_sgd_by": comparison.below_sgd(name)}))
    held = all(consistently_positive(comparison.below_sgd(name)) for name in CLAIM_15_BEATEN_BY)
    summary = (f"512-512 network on {size.n_train:,} images, Keras's default learning rates: mean validation "
               f"cross-entropy over the first {min(FIRST_EPOCHS, size.epochs)} of {size.epochs} epochs: "
               + labelled({label: comparison.first_epochs(name) for name, label in OPTIMIZERS.items()})
               + "; below plain SGD by (paired by seed) "
               + labelled({label: comparison.below_sgd(name) for name, label in OPTIMIZERS.items() if name != "sgd"})
               + f"; after {size.epochs} epochs: "
               + labelled({label: comparison.final(name) for name, label in OPTIMIZERS.items()}))
    return held, figures, summary
