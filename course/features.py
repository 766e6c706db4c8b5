"""Experiments of chapter 03: engineered features (claim 13) and preprocessing leaks (claim 14).

Claim 13 trains the same small model (a 1-nearest-neighbour classifier) on growing training
sets of clock readings in three representations (raw pixels, hand tips, hand angles) and
records the test accuracy of reading the hour.

Claim 14 measures two ways of inflating a reported test score:

* tuning on the test set: many candidate models, the one with the best *test* score is picked
  and that score reported; an honest protocol picks on a validation set. Each protocol's
  reported score is compared with the chosen model's accuracy on fresh data it never touched.
* normalization statistics from the test data while the test data is shifted (a new
  instrument, say): standardizing the test set with its own mean and standard deviation hides
  the shift and reports a score that the deployed model, which sees one sample at a time and
  can only use the training statistics, does not reach.

Functions that apply a preprocessing step take it as a parameter, so the notebook passes the
student's ``standardize`` or ``clock_angle_features``. Nothing here implements them (a
student's code can import this package): the claims standardize with scikit-learn's
``StandardScaler`` and take the exact angles the clock generator drew.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from course.clock import make_clock_data, representations

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


def claim_13_sizes(fast: bool) -> tuple[list[int], int]:
    """Training sizes and test size of claim 13."""
    if fast:
        return [25, 50, 100, 200, 400, 1000, 2000], 400
    return [25, 50, 100, 200, 400, 800, 1600, 3200, 6400], 1000


def measure_claim_13(seeds: Sequence[int], fast: bool):
    """Claim 13 over seeds: samples needed for 90 % hour accuracy, angles vs raw pixels.

    Holds when, for every seed, the angle features reach the target and the raw pixels need at
    least 8 times as many samples (not reaching it at the largest size counts as needing more
    than that size).
    """
    sizes, n_test = claim_13_sizes(fast)
    needed = {"angles": [], "hand tips": [], "raw pixels": []}
    largest_pixel_accuracy, ratios = [], []
    for seed in seeds:
        frame = clock_learning_curves(seed, sizes, n_test)
        reached = samples_to_reach(frame)
        for name in needed:
            needed[name].append(reached[name])
        pixels = frame[frame["representation"] == "raw pixels"]
        largest_pixel_accuracy.append(float(pixels["accuracy"].iloc[-1]))
        pixel_need = reached["raw pixels"] if np.isfinite(reached["raw pixels"]) else 2 * max(sizes)
        ratios.append(pixel_need / reached["angles"])
    held = all(np.isfinite(needed["angles"])) and min(ratios) >= 8
    figures = {
        "angles_samples_max": float(np.max(needed["angles"])),
        "hand_tips_samples_max": float(np.max(needed["hand tips"])),
        "pixels_seeds_reaching_target": float(np.sum(np.isfinite(needed["raw pixels"]))),
        "pixels_accuracy_at_largest": float(np.mean(largest_pixel_accuracy)),
        "largest_size": float(max(sizes)),
        "ratio_min": float(min(ratios)),
    }

    def shown(values):
        return ", ".join("never" if not np.isfinite(v) else str(int(v)) for v in values)

    summary = (f"samples for {TARGET_ACCURACY:.0%} hour accuracy (1-NN): angles {shown(needed['angles'])}; "
               f"hand tips {shown(needed['hand tips'])}; raw pixels {shown(needed['raw pixels'])} "
               f"(pixels reach {np.mean(largest_pixel_accuracy):.0%} with {max(sizes)})")
    return held, figures, summary


# ----------------------------------------------------------------------------- claim 14
@dataclass(frozen=True)
class TuningLeak:
    """Reported test accuracy and fresh-data accuracy of the model each protocol picked."""

    leaky_reported: float
    leaky_fresh: float
    honest_reported: float
    honest_fresh: float

    @property
    def leaky_inflation(self) -> float:
        return self.leaky_reported - self.leaky_fresh

    @property
    def honest_inflation(self) -> float:
        return self.honest_reported - self.honest_fresh


def _candidate_feature_sets(n_features: int, n_candidates: int, subset_size: int,
                            rng: np.random.Generator) -> list[np.ndarray]:
    return [np.sort(rng.choice(n_features, subset_size, replace=False)) for _ in range(n_candidates)]


def tuning_on_test_leak(x: np.ndarray, y: np.ndarray, seed: int, *, n_repeats: int = 40,
                        n_candidates: int = 30, subset_size: int = 3, n_train: int = 100,
                        n_val: int = 60, n_test: int = 60) -> TuningLeak:
    """Average over ``n_repeats`` random splits of picking one of ``n_candidates`` models.

    The candidates are ridge classifiers on random subsets of ``subset_size`` standardized
    features (a stand-in for any hyperparameter search). The leaky protocol picks the candidate
    with the best test accuracy and reports it; the honest one picks on the validation set and
    reports the test accuracy. The rest of the data, untouched by either, is the fresh data.
    """
    rng = np.random.default_rng(seed)
    totals = np.zeros(4)
    for _ in range(n_repeats):
        order = rng.permutation(len(x))
        parts = np.split(order, np.cumsum([n_train, n_val, n_test]))
        train, val, test, fresh = (x[p] for p in parts)
        y_train, y_val, y_test, y_fresh = (y[p] for p in parts)
        scaler = StandardScaler().fit(train)
        train, val, test, fresh = (scaler.transform(part) for part in (train, val, test, fresh))
        scores = []
        for columns in _candidate_feature_sets(x.shape[1], n_candidates, subset_size, rng):
            model = RidgeClassifier(alpha=1.0).fit(train[:, columns], y_train)
            scores.append([float(np.mean(model.predict(part[:, columns]) == labels))
                           for part, labels in ((val, y_val), (test, y_test), (fresh, y_fresh))])
        scores = np.array(scores)  # candidates x (val, test, fresh)
        by_test = int(np.argmax(scores[:, 1]))
        by_val = int(np.argmax(scores[:, 0]))
        totals += [scores[by_test, 1], scores[by_test, 2], scores[by_val, 1], scores[by_val, 2]]
    return TuningLeak(*(totals / n_repeats))


def shift_like_new_instrument(x: np.ndarray, reference: np.ndarray, offset: float = 0.5,
                              gain: float = 1.2) -> np.ndarray:
    """Recalibrated measurements: every feature scaled by ``gain`` and moved by ``offset``
    standard deviations of ``reference`` (the training data)."""
    return x * gain + offset * reference.std(axis=0)


@dataclass(frozen=True)
class NormalizationLeak:
    """Test accuracy under a shift: test-set statistics (reported) vs training statistics."""

    test_stats_accuracy: float   # what the leaky report says
    pooled_stats_accuracy: float  # statistics of train and test together
    train_stats_accuracy: float  # the honest protocol, and what deployment achieves
    unshifted_accuracy: float    # the same model on test data without the shift

    @property
    def inflation(self) -> float:
        return self.test_stats_accuracy - self.train_stats_accuracy


def normalization_leak(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                       y_test: np.ndarray, standardize: Callable, offset: float = 0.5,
                       gain: float = 1.2) -> NormalizationLeak:
    """Train a logistic regression on standardized data; score it on a shifted test set.

    ``standardize(train, test)`` is the honest step (training statistics only): the notebook
    passes the student's function. The leaky variants standardize the test set with its own
    statistics, or with those of train and test pooled.
    """
    shifted = shift_like_new_instrument(x_test, x_train, offset, gain)
    train_std, test_plain = standardize(x_train, x_test)
    model = LogisticRegression(max_iter=1000).fit(train_std, y_train)

    def accuracy(features: np.ndarray) -> float:
        return float(np.mean(model.predict(features) == y_test))

    _, test_honest = standardize(x_train, shifted)
    own = (shifted - shifted.mean(axis=0)) / shifted.std(axis=0)
    pooled_data = np.concatenate([x_train, shifted])
    pooled = (shifted - pooled_data.mean(axis=0)) / pooled_data.std(axis=0)
    return NormalizationLeak(accuracy(own), accuracy(pooled), accuracy(test_honest),
                             accuracy(test_plain))


def measure_claim_14(seeds: Sequence[int], fast: bool):
    """Claim 14 over seeds (breast-cancer data).

    Holds when, for every seed, (a) picking the model by its test score reports more than the
    picked model reaches on fresh data, by more than the honest protocol's gap plus 1 point,
    and (b) test-set normalization statistics under a shift report at least 5 points more than
    the honest training statistics.
    """
    from course.data import load_arrays, split_arrays

    def standard_scaler(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scaler = StandardScaler().fit(train)  # the honest protocol: training statistics only
        return scaler.transform(train), scaler.transform(test)

    x, y = load_arrays("breast_cancer")
    x = x.astype(np.float64)
    n_repeats = 10 if fast else 60
    tuning, normalization = [], []
    for seed in seeds:
        tuning.append(tuning_on_test_leak(x, y, seed, n_repeats=n_repeats))
        split = split_arrays(x, y, seed=seed, stratify=True)
        normalization.append(normalization_leak(split.x_train, split.y_train, split.x_test, split.y_test,
                                                standard_scaler))
    leaky_gap = [t.leaky_inflation for t in tuning]
    honest_gap = [t.honest_inflation for t in tuning]
    norm_gap = [n.inflation for n in normalization]
    held = (all(leak > honest + 0.01 for leak, honest in zip(leaky_gap, honest_gap))
            and all(g >= 0.05 for g in norm_gap))
    figures = {
        "tuned_on_test_reported": float(np.mean([t.leaky_reported for t in tuning])),
        "tuned_on_test_fresh": float(np.mean([t.leaky_fresh for t in tuning])),
        "honest_reported": float(np.mean([t.honest_reported for t in tuning])),
        "honest_fresh": float(np.mean([t.honest_fresh for t in tuning])),
        "tuning_inflation_min": float(min(leaky_gap)),
        "honest_inflation_max": float(max(honest_gap)),
        "test_stats_accuracy": float(np.mean([n.test_stats_accuracy for n in normalization])),
        "train_stats_accuracy": float(np.mean([n.train_stats_accuracy for n in normalization])),
        "normalization_inflation_min": float(min(norm_gap)),
        "repeats_per_seed": float(n_repeats),
    }
    summary = (f"tuning on test: reported {figures['tuned_on_test_reported']:.3f} vs fresh "
               f"{figures['tuned_on_test_fresh']:.3f} (honest: {figures['honest_reported']:.3f} vs "
               f"{figures['honest_fresh']:.3f}); shifted test normalized with its own statistics "
               f"{figures['test_stats_accuracy']:.3f} vs training statistics "
               f"{figures['train_stats_accuracy']:.3f}")
    return held, figures, summary
