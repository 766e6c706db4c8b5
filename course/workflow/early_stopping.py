"""Chapter 07's early stopping: :func:`run_early_stopping` trains the 512-512 Fashion-MNIST baseline
with Keras's own ``EarlyStopping`` and, for comparison, without it (claim 12); runs are cached per
process so that the notebook and the claim share them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from course import fashion, runtime
from course.spread import Spread, every_seed, figures_of, paired_effect

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
