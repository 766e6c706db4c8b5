"""Chapter 03's engineered features (claim 13): the same small model (a 1-nearest-neighbour
classifier) trained on growing training sets of clock readings in three representations (raw
pixels, hand tips, hand angles), and the test accuracy of reading the hour. The claim takes the
exact angles the clock generator drew; the notebook passes the student's ``clock_angle_features``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.neighbors import KNeighborsClassifier

from course.clock import make_clock_data, representations
from course.spread import Spread, clearly_below

TARGET_ACCURACY = 0.9


# ----------------------------------------------------------------------------- claim 13
def accuracy_vs_samples(
    train: Mapping[str, np.ndarray], y_train: np.ndarray,
    test: Mapping[str, np.ndarray], y_test: np.ndarray,
    sizes: Sequence[int],
    make_model: Callable[[], object] = lambda: KNeighborsClassifier(n_neighbors=1),
) -> pd.DataFrame:
    """Test accuracy of a fresh model trained on the first ``n`` samples, for each size.

    ``train`` and ``test`` map a representation name to its feature matrix (same rows in the
    same order for every representation). Returns a long table
    ``representation, training samples, accuracy``.
    """
    rows = []
    for name, x_train in train.items():
        for n in sizes:
            if n > len(x_train):
                raise ValueError(f"size {n} is larger than the {len(x_train)} training samples")
            model = make_model().fit(x_train[:n], y_train[:n])
            accuracy = float(np.mean(model.predict(test[name]) == y_test))
            rows.append({"representation": name, "training samples": int(n), "accuracy": accuracy})
    return pd.DataFrame(rows)


def samples_to_reach(frame: pd.DataFrame, target: float = TARGET_ACCURACY) -> dict[str, float]:
    """Smallest training size at which each representation reaches ``target`` (inf if never)."""
    reached = {}
    for name, group in frame.groupby("representation", sort=False):
        hits = group.loc[group["accuracy"] >= target, "training samples"]
        reached[name] = float(hits.min()) if len(hits) else float("inf")
    return reached


def clock_learning_curves(seed: int, sizes: Sequence[int], n_test: int,
                          angle_features: Callable | None = None) -> pd.DataFrame:
    """Claim 13's experiment for one seed: hour-reading accuracy vs training-set size."""
    train = make_clock_data(max(sizes), seed=seed)
    test = make_clock_data(n_test, seed=10_000 + seed)
    return accuracy_vs_samples(representations(train, angle_features), train.hours,
                               representations(test, angle_features), test.hours, sizes)


def plot_accuracy_vs_samples(frame: pd.DataFrame, target: float = TARGET_ACCURACY,
                             title: str | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Seaborn line plot of accuracy against training-set size (log axis), one line per input."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(data=frame, x="training samples", y="accuracy", hue="representation",
                 marker="o", ax=ax)
    ax.axhline(target, color="grey", linestyle=":", label=f"target {target:.0%}")
    ax.set_xscale("log")
    ax.set(xlabel="training samples (log scale)", ylabel="test accuracy (hour read correctly)",
           ylim=(0, 1.02))
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def clock_sample_sizes(fast: bool) -> tuple[list[int], int]:
    """Training sizes and test size of claim 13."""
    if fast:
        return [25, 50, 100, 200, 400, 1000, 2000], 400
    return [25, 50, 100, 200, 400, 800, 1600, 3200, 6400], 1000


def clock_angles_sample_efficiency_claim(seeds: Sequence[int], fast: bool):
    """Claim 13 over seeds: samples needed for 90 % hour accuracy, angles vs raw pixels.

    Holds when the effect exceeds the spread over seeds: the angle features reach the target
    for every seed, every seed's angle count is below every seed's pixel count
    (``course.spread.clearly_below``; not reaching the target at the largest size counts as
    needing twice that size), and for every seed the pixels need at least 8 times as many.
    """
    sizes, n_test = clock_sample_sizes(fast)
    never = 2 * max(sizes)  # stands for "not reached at the largest size" in the comparison
    needed = {"angles": [], "hand tips": [], "raw pixels": []}
    accuracy_at_largest = {name: [] for name in needed}
    for seed in seeds:
        frame = clock_learning_curves(seed, sizes, n_test)
        reached = samples_to_reach(frame)
        for name in needed:
            needed[name].append(reached[name])
            curve = frame[frame["representation"] == name]
            accuracy_at_largest[name].append(float(curve["accuracy"].iloc[-1]))
    counted = {name: Spread.of(v if np.isfinite(v) else never for v in values)
               for name, values in needed.items()}
    pixel_accuracy = Spread.of(accuracy_at_largest["raw pixels"])
    angle_accuracy = Spread.of(accuracy_at_largest["angles"])
    ratios = Spread.of(p / a for p, a in zip(counted["raw pixels"].values, counted["angles"].values))
    held = (all(np.isfinite(needed["angles"])) and clearly_below(counted["angles"], counted["raw pixels"])
            and ratios.min >= 8)
    figures = {
        **counted["angles"].figures("angles_samples"), **counted["hand tips"].figures("hand_tips_samples"),
        **counted["raw pixels"].figures("pixels_samples"),
        "pixels_seeds_reaching_target": float(np.sum(np.isfinite(needed["raw pixels"]))),
        **pixel_accuracy.figures("pixels_accuracy_at_largest"),
        **angle_accuracy.figures("angles_accuracy_at_largest"),
        "largest_size": float(max(sizes)),
        "ratio_min": ratios.min,
    }

    def shown(name: str) -> str:
        values = needed[name]
        if all(np.isfinite(values)):
            return counted[name].format(".0f")
        reaching = int(np.sum(np.isfinite(values)))
        return f"never within {max(sizes)} ({reaching} of {len(values)} seeds reach it)"

    summary = (f"samples for {TARGET_ACCURACY:.0%} hour accuracy (1-NN), mean (min-max) over seeds: "
               f"angles {shown('angles')}; hand tips {shown('hand tips')}; raw pixels {shown('raw pixels')}; "
               f"accuracy with {max(sizes)} samples: pixels {pixel_accuracy}, angles {angle_accuracy}")
    return held, figures, summary
