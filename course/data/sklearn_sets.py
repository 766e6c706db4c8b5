"""The data sets that ship inside scikit-learn (digits, breast cancer, diabetes, the two moons),
read offline, and what the chapters derive from them (see :mod:`course.data`'s table)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from sklearn import datasets as sk_datasets

from course.data.base import Split, split_arrays

DATASET_NAMES = ("digits", "breast_cancer", "diabetes")
CLASSIFICATION = {"digits": True, "breast_cancer": True, "diabetes": False}

def load_arrays(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the whole data set ``name`` as ``(x, y)`` with the dtypes in the module table."""
    if name == "digits":
        bunch = sk_datasets.load_digits()
        x = (bunch.data / 16.0).astype(np.float32)  # pixel intensities are 0..16
        return x, bunch.target.astype(np.int64)
    if name == "breast_cancer":
        bunch = sk_datasets.load_breast_cancer()
        return bunch.data.astype(np.float32), bunch.target.astype(np.int64)
    if name == "diabetes":
        bunch = sk_datasets.load_diabetes(scaled=False)  # raw units: standardizing is our job
        return bunch.data.astype(np.float32), bunch.target.astype(np.float32)
    raise ValueError(f"unknown data set {name!r}; choose one of {DATASET_NAMES}")


def load_digit_images() -> tuple[np.ndarray, np.ndarray]:
    """Digits as images: x float32 (1797, 8, 8) in [0, 1], y int64 (1797,)."""
    x, y = load_arrays("digits")
    return x.reshape(-1, 8, 8), y


def digit_multilabel_targets(y: np.ndarray) -> np.ndarray:
    """Two yes/no labels per digit, for multilabel examples: float32 (n, 2) = (is even, is > 4)."""
    y = np.asarray(y)
    return np.stack([y % 2 == 0, y > 4], axis=1).astype(np.float32)


def _load_split(name: str, seed: int, val_fraction: float, test_fraction: float) -> Split:
    x, y = load_arrays(name)
    return split_arrays(
        x, y, seed=seed, val_fraction=val_fraction, test_fraction=test_fraction,
        stratify=CLASSIFICATION[name],
    )


def load_digits_split(seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2) -> Split:
    """Handwritten digits, 8x8 pixels flattened: x float32 (n, 64) in [0, 1], y int64 0-9."""
    return _load_split("digits", seed, val_fraction, test_fraction)


def load_breast_cancer_split(
    seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2
) -> Split:
    """Breast cancer diagnosis: x float32 (n, 30) in raw units (not standardized), y int64 with
    scikit-learn's coding: 0 = malignant, 1 = benign."""
    return _load_split("breast_cancer", seed, val_fraction, test_fraction)


def load_diabetes_split(seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2) -> Split:
    """Diabetes progression: x float32 (n, 10) in raw units (age, BMI, ...), y float32 in 25..346."""
    return _load_split("diabetes", seed, val_fraction, test_fraction)


def load_cancer_data(seed: int = 0) -> Split:
    """The stratified breast-cancer split of ``seed``, relabelled so that 1 means malignant.

    ``x_*`` are raw float32 features; standardize them with the training part's statistics
    only. Malignant tumours are the rarer class (about 37 %).
    """
    split = load_breast_cancer_split(seed)
    flip = lambda y: (1 - y).astype(np.int64)  # noqa: E731 (sklearn codes malignant as 0)
    return replace(split, y_train=flip(split.y_train), y_val=flip(split.y_val), y_test=flip(split.y_test))


def load_digit_sequences(seed: int = 0, n_train: int = 250) -> Split:
    """The digits split of ``seed`` as sequences, x float32 (n, 8 steps, 8 pixels), y int64 0-9: each
    image is 8 time steps of one row each. Only the first ``n_train`` training samples are kept (small
    data overfits); no test part."""
    split = load_digits_split(seed)
    if not 10 <= n_train <= len(split.x_train):
        raise ValueError(f"n_train must be in 10..{len(split.x_train)}, got {n_train}")
    return Split(split.x_train[:n_train].reshape(-1, 8, 8), split.y_train[:n_train],
                 split.x_val.reshape(-1, 8, 8), split.y_val)


def load_moons(seed: int = 0, n_train: int = 40, n_val: int = 1000, noise: float = 0.3) -> Split:
    """scikit-learn's two interleaved half-moons with Gaussian noise (made offline), split in two:
    x float64 (n, 2), y float64 0/1; no test part."""
    x, y = sk_datasets.make_moons(n_samples=n_train + n_val, noise=noise, random_state=seed)
    y = y.astype(np.float64)
    return Split(x[:n_train], y[:n_train], x[n_train:], y[n_train:])
