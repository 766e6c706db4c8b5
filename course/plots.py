"""Seaborn figures shared by every chapter.

``plot_learning_curves`` draws training and validation curves for one or several Keras
histories: one colour per model, solid lines for training, dashed for validation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

TRAIN_STYLE = "train"
VAL_STYLE = "validation"


def _history_dict(history: Any) -> Mapping[str, Sequence[float]]:
    """Accept a ``keras.callbacks.History`` or its ``.history`` dict."""
    if hasattr(history, "history") and isinstance(history.history, Mapping):
        return history.history
    if isinstance(history, Mapping):
        return history
    raise TypeError(
        "expected a Keras History (the return value of model.fit) or its .history dict, "
        f"got {type(history).__name__}"
    )


def learning_curves_frame(histories: Any, metric: str = "loss", value_scale: float = 1.0) -> pd.DataFrame:
    """Long table with columns ``model, epoch, split, value`` (epochs count from 1).

    ``histories`` is one history (named "model") or a mapping from model name to history.
    ``value_scale`` multiplies every value (to report a metric in the target's units).
    """
    if isinstance(histories, Mapping) and histories and all(
        not isinstance(v, (int, float)) and not _is_number_list(v) for v in histories.values()
    ):
        named = dict(histories)
    else:
        named = {"model": histories}
    rows = []
    for name, history in named.items():
        record = _history_dict(history)
        if metric not in record:
            raise KeyError(f"history of {name!r} has no {metric!r}; it has {sorted(record)}")
        for split, key in ((TRAIN_STYLE, metric), (VAL_STYLE, f"val_{metric}")):
            for epoch, value in enumerate(record.get(key, []), start=1):
                rows.append({"model": name, "epoch": epoch, "split": split, "value": float(value) * value_scale})
    return pd.DataFrame(rows, columns=["model", "epoch", "split", "value"])


def _is_number_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray)) and all(
        isinstance(v, (int, float, np.floating, np.integer)) for v in value
    )


def plot_learning_curves(
    histories: Any,
    metric: str = "loss",
    *,
    title: str | None = None,
    ax: plt.Axes | None = None,
    log_scale: bool = False,
    value_scale: float = 1.0,
    ylabel: str | None = None,
) -> plt.Axes:
    """Plot training (solid) and validation (dashed) ``metric`` per epoch, one colour per model."""
    frame = learning_curves_frame(histories, metric, value_scale)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(
        data=frame, x="epoch", y="value", hue="model", style="split",
        style_order=[TRAIN_STYLE, VAL_STYLE], ax=ax,
    )
    ax.set_ylabel(ylabel or metric)
    if log_scale:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    return ax


def plot_score_spread(
    scores: Mapping[str, Sequence[float]],
    *,
    metric: str = "score",
    title: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Strip plot of several groups of scores (for example one group per protocol)."""
    frame = pd.DataFrame(
        [{"group": group, metric: float(v)} for group, values in scores.items() for v in values]
    )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    sns.stripplot(data=frame, x="group", y=metric, hue="group", size=7, jitter=0.15, ax=ax,
                  legend=False)
    sns.pointplot(data=frame, x="group", y=metric, color="black", errorbar="sd",
                  linestyle="none", marker="_", markersize=25, ax=ax)
    ax.set_xlabel("")
    if title:
        ax.set_title(title)
    return ax


def plot_sweep(frame: pd.DataFrame, setting: str, figures: Sequence[str] = ("val crossentropy", "val accuracy"),
               *, log_x: bool = False, title: str | None = None) -> plt.Figure:
    """One panel per figure against ``setting`` (one row per setting and seed): the mean over seeds
    with its range as a band, each seed as a dot."""
    fig, axes = plt.subplots(1, len(figures), figsize=(5.2 * len(figures), 3.8), squeeze=False)
    for ax, figure in zip(axes[0], figures):
        sns.lineplot(data=frame, x=setting, y=figure, marker="o", errorbar=("pi", 100), ax=ax)
        sns.scatterplot(data=frame, x=setting, y=figure, color="black", s=12, alpha=0.5, ax=ax)
        if log_x:
            ax.set_xscale("symlog", linthresh=float(frame.loc[frame[setting] > 0, setting].min()))
        ax.set_title(f"{figure} by {setting}")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
