"""Chapter 04's capacity experiment: a smaller, a reference and a much larger Dense network.

The three networks (hidden layers 4-4, 16-16 and 512-512, as in the book's IMDB example) are
binary classifiers trained on the bundled breast cancer data (569 tumours, 30 measurements,
malignant or benign), split at random into 300 training and 269 validation samples and
standardized with the training statistics. Like IMDB it is a real binary task with a sigmoid
output and binary cross-entropy, and small enough that a network with 300,000 parameters can
memorize the training set within a few epochs. ``label_noise`` (0 by default) can flip a share of
the training labels for experiments of your own.

The functions that read a history (epoch of the lowest validation loss, final gap) are
parameters of :func:`capacity_table`: the notebook passes the student's ``overfitting_onset`` and
``generalization_gap``. Nothing here implements them (a student's code can import this package);
the claims read the histories with NumPy, inline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from course import runtime
from course.data import load_arrays

# name -> hidden layer sizes; one sigmoid output unit comes on top.
CAPACITY_MODELS: dict[str, tuple[int, ...]] = {
    "smaller (4-4)": (4, 4),
    "reference (16-16)": (16, 16),
    "larger (512-512)": (512, 512),
}
SMALLER, REFERENCE, LARGER = CAPACITY_MODELS
FIRST_FEW_EPOCHS = 5  # claim 2: "within the first few epochs"
NEAR_ZERO_LOSS = 1e-3  # claim 2: "drives training loss toward zero" (the book reaches 3.5e-4)
DATASET = "breast_cancer"


@dataclass(frozen=True)
class CapacitySettings:
    """Sizes of one capacity run (full sizes are the ones the chapter's text quotes)."""

    n_train: int = 300
    n_val: int = 269
    label_noise: float = 0.0
    epochs: int = 40
    batch_size: int = 16
    learning_rate: float = 1e-3  # RMSprop's default, as in the book


FULL = CapacitySettings()
FAST = CapacitySettings(epochs=20)  # grading: enough for the larger network to overfit


def settings(fast: bool | None = None) -> CapacitySettings:
    """The full or fast settings (``fast=None`` follows :func:`course.runtime.is_fast_mode`)."""
    fast = runtime.is_fast_mode() if fast is None else fast
    return FAST if fast else FULL


@dataclass(frozen=True)
class CapacityData:
    """Standardized training and validation arrays of the breast cancer task."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray

    @property
    def input_dim(self) -> int:
        return int(self.x_train.shape[1])


def make_capacity_data(seed: int = 0, config: CapacitySettings = FULL) -> CapacityData:
    """A seeded random split of the breast cancer data, standardized with training statistics.

    ``n_train`` and ``n_val`` samples are drawn without replacement; a share ``label_noise`` of
    the *training* labels is flipped (validation labels stay clean). x is float32 (n, 30),
    y is int64 0/1 (1 = benign).
    """
    x, y = load_arrays(DATASET)
    if config.n_train + config.n_val > len(x):
        raise ValueError(f"n_train + n_val must be at most {len(x)}, got {config.n_train + config.n_val}")
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(x))[: config.n_train + config.n_val]
    x, y = x[rows], y[rows].copy()
    mean, std = x[: config.n_train].mean(axis=0), x[: config.n_train].std(axis=0)  # training statistics only
    x_train, x_val = (((part - mean) / np.where(std == 0, 1.0, std)).astype(np.float32)
                      for part in (x[: config.n_train], x[config.n_train:]))
    y_train, y_val = y[: config.n_train], y[config.n_train:]
    flipped = rng.random(config.n_train) < config.label_noise
    y_train[flipped] = 1 - y_train[flipped]
    return CapacityData(x_train, y_train, x_val, y_val)


def build_dense_classifier(input_dim: int, hidden: Sequence[int], learning_rate: float = 1e-3):
    """ReLU Dense layers of sizes ``hidden``, one sigmoid output, RMSprop, binary cross-entropy."""
    keras = runtime.import_keras()
    layers = [keras.Input(shape=(input_dim,))]
    layers += [keras.layers.Dense(units, activation="relu") for units in hidden]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def train_capacity_models(data: CapacityData, seed: int = 0, config: CapacitySettings = FULL,
                          models: Mapping[str, Sequence[int]] = CAPACITY_MODELS,
                          verbose: int = 0) -> dict[str, Any]:
    """Train every model in ``models`` on ``data``; return ``{name: keras History}``.

    Each model is seeded with ``seed`` before it is built, so the runs are reproducible on one
    machine. TensorFlow's native log lines are silenced while training.
    """
    histories = {}
    for name, hidden in models.items():
        runtime.seed_everything(int(seed))
        with runtime.quiet_native_stderr():
            model = build_dense_classifier(data.input_dim, hidden, learning_rate=config.learning_rate)
            histories[name] = model.fit(
                data.x_train, data.y_train, epochs=config.epochs, batch_size=config.batch_size,
                validation_data=(data.x_val, data.y_val), verbose=verbose,
            )
    return histories


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
@lru_cache(maxsize=8)
def _seed_table(seed: int, fast: bool) -> pd.DataFrame:
    config = settings(fast)
    histories = train_capacity_models(make_capacity_data(seed, config), seed=seed, config=config)
    # the first epoch (from 1) of the lowest validation loss; the last epoch's validation - training loss
    return capacity_table(histories, onset=lambda losses: int(np.argmin(losses)) + 1,
                          gap=lambda history: float(history.history["val_loss"][-1] - history.history["loss"][-1]))


def capacity_over_seeds(seeds: Sequence[int], fast: bool) -> pd.DataFrame:
    """The capacity table for every seed, stacked with a ``seed`` column (runs are cached)."""
    return pd.concat([_seed_table(int(s), bool(fast)).assign(seed=int(s)) for s in seeds])


def measure_claim_1(seeds: Sequence[int], fast: bool):
    """Claim 1: the smaller network's best epoch is later and its validation loss rises slower.

    Holds when, for every seed, the smaller network's lowest validation loss comes at a later
    epoch than the reference's and its validation loss rises more slowly per epoch after it.
    """
    table = capacity_over_seeds(seeds, fast)
    small, ref = table.loc[SMALLER], table.loc[REFERENCE]
    later = small["best epoch"].to_numpy() > ref["best epoch"].to_numpy()
    slower = small["val rise / epoch"].to_numpy() < ref["val rise / epoch"].to_numpy()
    figures = {
        "smaller_best_epoch_mean": float(small["best epoch"].mean()),
        "reference_best_epoch_mean": float(ref["best epoch"].mean()),
        "smaller_rise_per_epoch_mean": float(small["val rise / epoch"].mean()),
        "reference_rise_per_epoch_mean": float(ref["val rise / epoch"].mean()),
        "seeds_later": float(later.sum()),
        "seeds_slower": float(slower.sum()),
        "epochs": float(settings(fast).epochs),
    }
    summary = (f"best epoch smaller {_list(small['best epoch'])} vs reference {_list(ref['best epoch'])} "
               f"(of {settings(fast).epochs}); val-loss rise per epoch after it "
               f"{_list(small['val rise / epoch'], '.3f')} vs {_list(ref['val rise / epoch'], '.3f')}")
    return bool(later.all() and slower.all()), figures, summary


def measure_claim_2(seeds: Sequence[int], fast: bool):
    """Claim 2: the larger network peaks within 5 epochs, trains to near-zero loss, widest gap.

    Holds when, for every seed, the larger network's best epoch is at most 5 ("the first few"),
    its final training loss is below ``NEAR_ZERO_LOSS`` (1e-3) and the lowest of the three, and
    its final gap is the widest of the three networks.
    """
    table = capacity_over_seeds(seeds, fast)
    large, ref = table.loc[LARGER], table.loc[REFERENCE]
    early = large["best epoch"].to_numpy() <= FIRST_FEW_EPOCHS
    lowest = np.array([table[table.seed == s]["final train loss"].idxmin() == LARGER for s in seeds])
    near_zero = (large["final train loss"].to_numpy() < NEAR_ZERO_LOSS) & lowest
    widest = np.array([table[table.seed == s]["gap"].idxmax() == LARGER for s in seeds])
    figures = {
        "larger_best_epoch_mean": float(large["best epoch"].mean()),
        "larger_best_epoch_max": float(large["best epoch"].max()),
        "larger_final_train_loss_mean": float(large["final train loss"].mean()),
        "reference_final_train_loss_mean": float(ref["final train loss"].mean()),
        "larger_gap_mean": float(large["gap"].mean()),
        "reference_gap_mean": float(ref["gap"].mean()),
        "smaller_gap_mean": float(table.loc[SMALLER]["gap"].mean()),
        "seeds_widest_gap": float(widest.sum()),
        "epochs": float(settings(fast).epochs),
    }
    summary = (f"larger: best epoch {_list(large['best epoch'])}, final train loss "
               f"{_list(large['final train loss'], '.1e')} (reference {_list(ref['final train loss'], '.1e')}), "
               f"gap {figures['larger_gap_mean']:.2f} vs reference {figures['reference_gap_mean']:.2f} "
               f"and smaller {figures['smaller_gap_mean']:.2f} (widest in {int(widest.sum())}/{len(seeds)} seeds)")
    return bool(early.all() and near_zero.all() and widest.all()), figures, summary


def _list(values: pd.Series, fmt: str = "d") -> str:
    if fmt == "d":
        return "/".join(str(int(v)) for v in values)
    return "/".join(format(float(v), fmt) for v in values)
