"""Chapter 06: recurrent models (recurrent dropout, stacked and bidirectional layers) on digits
read row by row as sequences of 8 steps of 8 pixels, and the masks of dropout on a sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from course import runtime
from course.data import load_digit_sequences

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
