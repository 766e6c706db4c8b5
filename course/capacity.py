"""Chapter 04's capacity experiment: a smaller, a reference and a much larger Dense network.

The three networks (hidden layers 32-32, 128-128 and 512-512) classify Fashion-MNIST's
28x28 clothing images (:mod:`course.fashion`: 5,000 training and 5,000 validation images drawn
per seed, Adam at its default rate, 40 epochs). They play the roles of the book's IMDB
networks (4-4, 16-16, 512-512): on 784 inputs a 16-16 network is still improving after 40
epochs, so the smaller network here is 32-32, which does reach its lowest validation loss within
the run, and so lets claim 1's "degrades more slowly" be measured at all.

The functions that read a history (epoch of the lowest validation loss, final gap) are
parameters of :func:`capacity_table`: the notebook passes the student's ``overfitting_onset`` and
``generalization_gap``. Nothing here implements them (a student's code can import this package);
the claims read the curves with NumPy, inline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from course import fashion, runtime
from course.spread import Spread, every_seed, figures_of

# name -> hidden layer sizes; a softmax output over the 10 classes comes on top.
CAPACITY_MODELS: dict[str, tuple[int, ...]] = {
    "smaller (32-32)": (32, 32),
    "reference (128-128)": (128, 128),
    "larger (512-512)": (512, 512),
}
SMALLER, REFERENCE, LARGER = CAPACITY_MODELS
# The book's networks, for the IMDB switch (course.fashion.TASKS)
IMDB_CAPACITY_MODELS: dict[str, tuple[int, ...]] = {
    "smaller (4-4)": (4, 4),
    "reference (16-16)": (16, 16),
    "larger (512-512)": (512, 512),
}
FIRST_FEW_EPOCHS = 8  # claim 2: "within the first few epochs" (of 40)
NEAR_ZERO_FRACTION = 0.1  # claim 2: "toward zero": final training loss below a tenth of the first epoch's
MIN_EPOCHS_AFTER_BEST = 5  # claim 1: a rise needs this many epochs after the minimum to be measured

FULL = fashion.FULL  # 40 epochs: the larger network's runs are chapter 05's baseline runs
FAST = fashion.with_size(fashion.FAST, epochs=10)  # grading: enough for the larger network to overfit


def settings(fast: bool | None = None, task: str = "fashion") -> fashion.TaskSize:
    """The full or fast size (``fast=None`` follows :func:`course.runtime.is_fast_mode`)."""
    if task != "fashion":
        return fashion.task_size(fast, task)
    fast = runtime.fast_mode(fast)
    return FAST if fast else FULL


def capacity_models(task: str = "fashion") -> dict[str, tuple[int, ...]]:
    """The three networks of ``task``: smaller, reference, larger (in that order)."""
    return IMDB_CAPACITY_MODELS if task == "imdb" else CAPACITY_MODELS


def spec_for(hidden: Sequence[int], task: str = "fashion") -> fashion.NetworkSpec:
    """The unregularized network with these hidden sizes (Adam; RMSprop on IMDB, as the book)."""
    return fashion.NetworkSpec(hidden=tuple(int(u) for u in hidden), task=task,
                               optimizer="rmsprop" if task == "imdb" else "adam")


def train_capacity_models(seed: int = 0, size: fashion.TaskSize | None = None,
                          models: Mapping[str, Sequence[int]] | None = None,
                          verbose: int = 0, task: str = "fashion") -> dict[str, fashion.Run]:
    """Train every model in ``models`` (default: :func:`capacity_models`) on the split of ``seed``;
    return ``{name: Run}``.

    A :class:`course.fashion.Run` has ``.history`` (the dict of per-epoch ``loss``,
    ``val_loss``, accuracies) and ``.model``. Runs are cached per process.
    """
    size = settings(task=task) if size is None else size
    models = capacity_models(task) if models is None else models
    return {name: fashion.train(spec_for(hidden, task), seed, size, verbose=verbose)
            for name, hidden in models.items()}


# ------------------------------------------------------------------ reading learning curves
def _record(history: Any) -> Mapping[str, Sequence[float]]:
    return history.history if hasattr(history, "history") else history


def degradation_rate(val_losses: Sequence[float]) -> float:
    """Mean rise of the validation loss per epoch after its minimum (0 if the minimum is last)."""
    values = np.asarray(val_losses, dtype=np.float64)
    best = int(np.argmin(values))
    after = len(values) - 1 - best
    return 0.0 if after == 0 else float((values[-1] - values[best]) / after)


def capacity_table(histories: Mapping[str, Any], onset: Callable[[Sequence[float]], int],
                   gap: Callable[[Any], float]) -> pd.DataFrame:
    """One row per model: epoch of the lowest validation loss (``onset(val_losses)``), losses, gap
    (``gap(history)``) and degradation."""
    rows = []
    for name, history in histories.items():
        record = _record(history)
        val = list(record["val_loss"])
        rows.append({
            "model": name,
            "parameters": int(history.model.count_params()) if hasattr(history, "model") else np.nan,
            "best epoch": int(onset(val)),
            "lowest val loss": float(np.min(val)),
            "final train loss": float(record["loss"][-1]),
            "final val loss": float(val[-1]),
            "gap": float(gap(history)),
            "val rise / epoch": degradation_rate(val),
        })
    return pd.DataFrame(rows).set_index("model")


# ------------------------------------------------------------------------------- the claims
def capacity_over_seeds(seeds: Sequence[int], fast: bool) -> pd.DataFrame:
    """The capacity table for every seed, stacked with a ``seed`` column (runs are cached)."""
    frames = []
    for seed in seeds:
        runs = train_capacity_models(int(seed), settings(fast))
        # the first epoch (from 1) of the lowest validation loss; the last epoch's validation - training loss
        table = capacity_table(runs, onset=lambda losses: int(np.argmin(losses)) + 1,
                               gap=lambda run: float(run.history["val_loss"][-1] - run.history["loss"][-1]))
        first_train_loss = {name: run.history["loss"][0] for name, run in runs.items()}
        frames.append(table.assign(seed=int(seed), **{"first train loss": pd.Series(first_train_loss)}))
    return pd.concat(frames)


def judge_smaller_network_peaks_later(smaller_val: Sequence[Sequence[float]],
                                      reference_val: Sequence[Sequence[float]],
                                      min_epochs_after: int = MIN_EPOCHS_AFTER_BEST) -> tuple[bool, str]:
    """Claim 1 from the validation curves of each seed: ``(held, why)``.

    For every seed the smaller network's lowest validation loss must come at a later epoch than
    the reference's, and afterwards its validation loss must rise more slowly per epoch. A
    curve whose minimum lies fewer than ``min_epochs_after`` epochs before its end has no
    measurable rise: then the claim is not shown (a network still improving at the last epoch
    has not "degraded more slowly", it has not degraded yet).
    """
    if len(smaller_val) != len(reference_val) or not smaller_val:
        raise ValueError("need one smaller and one reference curve per seed")
    for seed, (small, ref) in enumerate(zip(smaller_val, reference_val)):
        best_small, best_ref = int(np.argmin(small)), int(np.argmin(ref))
        if best_small <= best_ref:
            return False, f"curve {seed}: the smaller network's lowest validation loss is not later"
        for name, curve, best in (("smaller", small, best_small), ("reference", ref, best_ref)):
            if len(curve) - 1 - best < min_epochs_after:
                return False, (f"curve {seed}: the {name} network's minimum is within {min_epochs_after} "
                               f"epochs of the end: its rise cannot be measured")
        if degradation_rate(small) >= degradation_rate(ref):
            return False, f"curve {seed}: the smaller network's validation loss rises as fast or faster"
    return True, "later and slower in every seed"


def smaller_network_peaks_later_claim(seeds: Sequence[int], fast: bool):
    """Claim 1: the smaller network's best epoch is later and its validation loss rises slower
    (see :func:`judge_smaller_network_peaks_later`)."""
    size = settings(fast)
    runs = [train_capacity_models(int(seed), size) for seed in seeds]
    held, why = judge_smaller_network_peaks_later([r[SMALLER].history["val_loss"] for r in runs],
                              [r[REFERENCE].history["val_loss"] for r in runs])
    pair = (SMALLER, REFERENCE)
    best = {name: Spread.of(int(np.argmin(r[name].history["val_loss"])) + 1 for r in runs) for name in pair}
    rise = {name: Spread.of(degradation_rate(r[name].history["val_loss"]) for r in runs) for name in pair}
    figures = {**best[SMALLER].figures("smaller_best_epoch"), **best[REFERENCE].figures("reference_best_epoch"),
               **rise[SMALLER].figures("smaller_rise_per_epoch"), **rise[REFERENCE].figures("reference_rise_per_epoch"),
               "epochs": float(size.epochs)}
    summary = (f"epoch of lowest val loss (of {size.epochs}): smaller {best[SMALLER].format('.1f')} vs reference "
               f"{best[REFERENCE].format('.1f')}; val-loss rise per epoch after it: smaller "
               f"{rise[SMALLER].format('.4f')} vs reference {rise[REFERENCE].format('.4f')}; {why}")
    return held, figures, summary


def larger_network_overfits_early_claim(seeds: Sequence[int], fast: bool):
    """Claim 2: the larger network peaks within the first few epochs, trains toward zero loss
    and has the widest gap.

    Holds when, for every seed, the larger network's best epoch is at most ``FIRST_FEW_EPOCHS``,
    its final training loss is below ``NEAR_ZERO_FRACTION`` of its first epoch's and the lowest of
    the three, and its final gap is the widest of the three.
    """
    table = capacity_over_seeds(seeds, fast)
    large = table.loc[LARGER]
    early = large["best epoch"].to_numpy() <= FIRST_FEW_EPOCHS
    lowest = [table[table.seed == s]["final train loss"].idxmin() == LARGER for s in seeds]
    toward_zero = (large["final train loss"] < NEAR_ZERO_FRACTION * large["first train loss"]).to_numpy()
    widest = [table[table.seed == s]["gap"].idxmax() == LARGER for s in seeds]
    spreads = {(name, column): Spread.of(table.loc[name][column])
               for name in CAPACITY_MODELS for column in ("best epoch", "lowest val loss", "final train loss", "gap")}
    figures = {"epochs": float(settings(fast).epochs), "seeds_widest_gap": float(sum(widest))}
    figures.update(figures_of({f"{name.split()[0]}_{column.replace(' ', '_')}": spread
                               for (name, column), spread in spreads.items()}))
    summary = (f"larger: lowest val loss at epoch {spreads[LARGER, 'best epoch'].format('.1f')}, final train loss "
               f"{spreads[LARGER, 'final train loss'].format('.3f')} (reference "
               f"{spreads[REFERENCE, 'final train loss'].format('.3f')}); final gap larger "
               f"{spreads[LARGER, 'gap'].format('.2f')}, reference {spreads[REFERENCE, 'gap'].format('.2f')}, "
               f"smaller {spreads[SMALLER, 'gap'].format('.2f')} (widest in {sum(widest)}/{len(seeds)} seeds)")
    held = every_seed(early) and every_seed(lowest) and every_seed(toward_zero) and every_seed(widest)
    return held, figures, summary
