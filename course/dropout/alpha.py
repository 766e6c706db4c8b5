"""Chapter 06: alpha dropout in a self-normalizing (SELU) stack, against plain dropout."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from course import runtime


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
