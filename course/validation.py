"""Chapter 02's validation helpers: its small Keras regressor, hold-out vs K-fold comparisons, leaks.

Split functions are parameters: the notebook passes the student's own implementations, the
claims scikit-learn's (inline). Nothing here implements a graded function, nor wraps the library
call that computes one: a student's code can import this package, so the experiments standardize
their features inline (training statistics only), and chapter 02's K-fold loop over a Keras model
is the student's (``cross_validate``): this module only builds its models. Sizes shrink in fast
mode (see :mod:`course.runtime`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold, train_test_split

from course import runtime
from course.spread import Spread, clearly_below

Folds = Sequence[tuple[np.ndarray, np.ndarray]]
TARGET_SCALE = 100.0  # diabetes targets are 25..346; training on y/100 keeps Adam's default step sensible


def build_regression_model(n_features: int, hidden_units: int = 16, learning_rate: float = 1e-2):
    """A small dense regressor: one ReLU layer, a linear output, MSE loss, MAE metric."""
    keras = runtime.import_keras()

    model = keras.Sequential(
        [
            keras.Input(shape=(n_features,)),
            keras.layers.Dense(hidden_units, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", metrics=["mae"])
    return model


def regression_model_factory(n_features: int, seed: int = 0, **settings) -> Callable[[], object]:
    """``build_model()`` for chapter 02's cross-validation: each call returns a fresh, untrained
    :func:`build_regression_model`, seeded in turn (``seed``, ``seed + 1``, ...) so that a rerun
    repeats every fold's model and its training."""
    calls = itertools.count(seed)

    def build_model():
        runtime.seed_everything(next(calls))
        # TensorFlow logs harmless native "errors" (CUDA probe, tf.data attributes) on first use.
        with runtime.quiet_native_stderr():
            return build_regression_model(n_features, **settings)

    return build_model


def _check_fold(train_idx: np.ndarray, val_idx: np.ndarray, n_samples: int, fold: int) -> None:
    train_idx, val_idx = np.asarray(train_idx), np.asarray(val_idx)
    if train_idx.size == 0 or val_idx.size == 0:
        raise ValueError(f"fold {fold}: training and validation indices must both be non-empty")
    if train_idx.min() < 0 or val_idx.min() < 0 or max(train_idx.max(), val_idx.max()) >= n_samples:
        raise ValueError(f"fold {fold}: indices must lie in 0..{n_samples - 1}")
    overlap = np.intersect1d(train_idx, val_idx)
    if overlap.size:
        raise ValueError(
            f"fold {fold}: {overlap.size} indices are in both the training and the validation "
            f"part (for example {overlap[:5].tolist()}); that is an information leak"
        )


def linear_fit_and_score(x_train, y_train, x_val, y_val) -> float:
    """Validation MAE of a ridge regression (closed form, milliseconds) on standardized features."""
    from sklearn.linear_model import Ridge

    mean, std = x_train.mean(axis=0), x_train.std(axis=0)  # training statistics only
    x_train, x_val = (((part - mean) / np.where(std == 0, 1.0, std)).astype(np.float32) for part in (x_train, x_val))
    model = Ridge(alpha=1.0).fit(x_train, y_train)
    return float(np.mean(np.abs(model.predict(x_val) - y_val)))


@dataclass
class ProtocolSpread:
    """Scores of hold-out and K-fold validation repeated over split seeds, one :class:`Spread`
    each (in the order of ``seeds``)."""

    seeds: list[int]
    holdout: Spread  # the hold-out score of each split seed
    kfold: Spread  # the mean K-fold score of each split seed

    @property
    def holdout_scores(self) -> np.ndarray:
        return np.array(self.holdout.values)

    @property
    def kfold_means(self) -> np.ndarray:
        return np.array(self.kfold.values)

    @property
    def holdout_std(self) -> float:
        return self.holdout.std

    @property
    def kfold_std(self) -> float:
        return self.kfold.std

    @property
    def ratio(self) -> float:
        """How many times larger the hold-out spread is than the K-fold spread."""
        return self.holdout.std / max(self.kfold.std, 1e-12)


def holdout_vs_kfold_spread(
    x: np.ndarray,
    y: np.ndarray,
    *,
    seeds: Sequence[int],
    k: int = 5,
    val_fraction: float = 0.2,
    holdout_split: Callable,
    shuffled_k_fold_indices: Callable,
    score: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], float] = linear_fit_and_score,
) -> ProtocolSpread:
    """Claim 11: score one model with hold-out and with K-fold, once per split seed.

    ``holdout_split(n_samples, val_fraction, seed)`` and ``shuffled_k_fold_indices(n_samples, k,
    seed)`` make the splits (the notebook passes the student's). ``score(x_train, y_train, x_val,
    y_val)`` trains a fresh model and returns its validation error; the default is a ridge
    regression so that many seeds cost milliseconds. Only the split changes between seeds, so the
    spread measures the protocol, not the model.
    """
    holdout, kfold = [], []
    for seed in seeds:
        train_idx, val_idx = holdout_split(len(x), val_fraction, seed)
        holdout.append(score(x[train_idx], y[train_idx], x[val_idx], y[val_idx]))
        fold_scores = []
        for fold, (train_idx, val_idx) in enumerate(shuffled_k_fold_indices(len(x), k, seed)):
            _check_fold(train_idx, val_idx, len(x), fold)
            fold_scores.append(score(x[train_idx], y[train_idx], x[val_idx], y[val_idx]))
        kfold.append(float(np.mean(fold_scores)))
    return ProtocolSpread(list(seeds), Spread.of(holdout), Spread.of(kfold))


def small_subset(x: np.ndarray, y: np.ndarray, n_samples: int, seed: int = 0):
    """A seeded random subset of ``n_samples`` rows: the "small data" setting."""
    if not 0 < n_samples <= len(x):
        raise ValueError(f"n_samples must be in 1..{len(x)}, got {n_samples}")
    rows = np.random.default_rng(seed).choice(len(x), size=n_samples, replace=False)
    return x[rows], y[rows]


def mean_split_score(
    x: np.ndarray,
    y: np.ndarray,
    splits: Folds,
    score: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], float] = linear_fit_and_score,
) -> float:
    """Mean validation error over any list of ``(train_idx, val_idx)`` splits."""
    values = []
    for i, (train_idx, val_idx) in enumerate(splits):
        _check_fold(train_idx, val_idx, len(x), i)
        values.append(score(x[train_idx], y[train_idx], x[val_idx], y[val_idx]))
    return float(np.mean(values))


def class_counts(y: np.ndarray, n_classes: int) -> np.ndarray:
    """How many samples of each class ``y`` holds (length ``n_classes``)."""
    return np.bincount(np.asarray(y, dtype=np.int64), minlength=n_classes)


def duplicate_leak_demo(
    x: np.ndarray, y: np.ndarray, *, duplicate_fraction: float = 0.3, val_fraction: float = 0.2,
    seed: int = 0,
) -> dict[str, float]:
    """Redundancy pitfall: copy some samples, split at random, and score a memorizing model.

    A 1-nearest-neighbour classifier answers with the label of the closest training sample,
    so a validation sample whose exact copy sits in the training part is answered for free.
    Returns the share of validation samples with a copy in training and the validation
    accuracy with the duplicates and after removing them before splitting.
    """
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(seed)
    copies = rng.choice(len(x), size=int(len(x) * duplicate_fraction), replace=False)
    x_dup = np.concatenate([x, x[copies]])
    y_dup = np.concatenate([y, y[copies]])

    def split_and_score(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
        order = np.random.default_rng(seed + 1).permutation(len(xs))
        n_val = int(len(xs) * val_fraction)
        val, train = order[:n_val], order[n_val:]
        model = KNeighborsClassifier(n_neighbors=1).fit(xs[train], ys[train])
        accuracy = float(np.mean(model.predict(xs[val]) == ys[val]))
        train_rows = {row.tobytes() for row in xs[train]}
        leaked = float(np.mean([row.tobytes() in train_rows for row in xs[val]]))
        return accuracy, leaked

    acc_dup, leaked_dup = split_and_score(x_dup, y_dup)
    _, keep = np.unique(x_dup, axis=0, return_index=True)
    acc_clean, leaked_clean = split_and_score(x_dup[np.sort(keep)], y_dup[np.sort(keep)])
    return {
        "val_with_copy_in_train": leaked_dup,
        "accuracy_with_duplicates": acc_dup,
        "val_with_copy_in_train_deduplicated": leaked_clean,
        "accuracy_deduplicated": acc_clean,
    }


def holdout_vs_kfold_spread_claim(seeds: Sequence[int], fast: bool):
    """Claim 11 over several data seeds: each seed draws its own 150 patients.

    For each data seed the split seeds 0..n-1 are swept and the standard deviation of each
    protocol's validation MAE over them is recorded. The claim holds when the effect exceeds the
    spread over data seeds (every data seed's K-fold-mean standard deviation is below every data
    seed's hold-out one, ``course.spread.clearly_below``) and, for every data seed, the hold-out
    standard deviation is at least twice the K-fold-mean one ("much more").
    """
    from course.data import load_arrays

    def sklearn_holdout(n_samples: int, val_fraction: float, seed: int):
        train_idx, val_idx = train_test_split(np.arange(n_samples), test_size=int(n_samples * val_fraction),
                                              random_state=seed)
        return train_idx, val_idx

    def sklearn_k_fold(n_samples: int, k: int, seed: int):
        return list(KFold(k, shuffle=True, random_state=seed).split(np.arange(n_samples)))

    x, y = load_arrays("diabetes")
    n_split_seeds = 20 if fast else 50
    per_seed = []
    for seed in seeds:
        xs, ys = small_subset(x, y, 150, seed=seed)
        per_seed.append(holdout_vs_kfold_spread(xs, ys, seeds=range(n_split_seeds), k=5, val_fraction=0.2,
                                                holdout_split=sklearn_holdout,
                                                shuffled_k_fold_indices=sklearn_k_fold))
    holdout_std = Spread.of(s.holdout_std for s in per_seed)
    kfold_std = Spread.of(s.kfold_std for s in per_seed)
    ratio = Spread.of(s.ratio for s in per_seed)
    held = clearly_below(kfold_std, holdout_std) and ratio.min >= 2.0
    figures = {**holdout_std.figures("holdout_std"), **kfold_std.figures("kfold_std"),
               **ratio.figures("ratio"), "split_seeds": n_split_seeds}
    summary = (f"std of validation MAE over {n_split_seeds} split seeds (150 patients per data seed): "
               f"hold-out {holdout_std.format('.2f')} vs 5-fold mean {kfold_std.format('.2f')}; "
               f"ratio {ratio.format('.1f')}x")
    return held, figures, summary
