"""Real data sets that work offline, as seeded train/validation/test splits.

The default sets ship inside scikit-learn, so every notebook runs without a network:

==============  ==========================  =======================  ================
name            x (dtype, shape)            y (dtype, shape)         task
==============  ==========================  =======================  ================
digits          float32 (1797, 64) in [0,1] int64 (1797,) 0-9        10-class
breast_cancer   float32 (569, 30) raw units int64 (569,) 0/1         binary
diabetes        float32 (442, 10) raw units float32 (442,) 25-346    scalar regression
==============  ==========================  =======================  ================

``load_*_split`` returns a :class:`Split` with 60 % train, 20 % validation, 20 % test by
default (classification splits are stratified). The same seed gives the same split.

``load_imdb`` is the exception: Keras downloads it once into its cache. Without a network and
without the cached file it raises :class:`DatasetUnavailableError`, naming the file and the
folder to put it in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn import datasets as sk_datasets
from sklearn.model_selection import train_test_split

DATASET_NAMES = ("digits", "breast_cancer", "diabetes")
CLASSIFICATION = {"digits": True, "breast_cancer": True, "diabetes": False}

IMDB_FILE_NAME = "imdb.npz"
IMDB_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"


class DatasetUnavailableError(RuntimeError):
    """A data set file is neither cached nor downloadable."""


@dataclass(frozen=True)
class Split:
    """Train, validation and test arrays of one data set (x float32, y as documented)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def sizes(self) -> dict[str, int]:
        """Number of samples in each part, e.g. ``{'train': 1079, 'val': 359, 'test': 359}``."""
        return {"train": len(self.x_train), "val": len(self.x_val), "test": len(self.x_test)}


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


def split_arrays(
    x: np.ndarray,
    y: np.ndarray,
    *,
    seed: int = 0,
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    stratify: bool = False,
) -> Split:
    """Shuffle with ``seed`` and cut ``(x, y)`` into train, validation and test parts.

    The test part holds ``round(n * test_fraction)`` samples and the validation part
    ``round(n * val_fraction)``; the rest is training data.
    """
    n = len(x)
    if len(y) != n:
        raise ValueError(f"x has {n} samples but y has {len(y)}")
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError(
            "val_fraction and test_fraction must be in (0, 1) and sum to less than 1, "
            f"got {val_fraction} and {test_fraction}"
        )
    n_test = round(n * test_fraction)
    n_val = round(n * val_fraction)
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=n_test, random_state=seed, stratify=y if stratify else None
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=n_val, random_state=seed + 1,
        stratify=y_rest if stratify else None,
    )
    return Split(x_train, y_train, x_val, y_val, x_test, y_test)


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
    """Breast cancer diagnosis: x float32 (n, 30) in raw units (not standardized), y int64 0/1."""
    return _load_split("breast_cancer", seed, val_fraction, test_fraction)


def load_diabetes_split(seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2) -> Split:
    """Diabetes progression: x float32 (n, 10) in raw units (age, BMI, ...), y float32 in 25..346."""
    return _load_split("diabetes", seed, val_fraction, test_fraction)


def keras_cache_dir() -> Path:
    """The folder where Keras caches downloaded data sets (``$KERAS_HOME/datasets``).

    Mirrors Keras's own rule: ``$KERAS_HOME`` or ``~/.keras``, and ``/tmp/.keras`` when that
    folder is not writable.
    """
    base = Path(os.path.expanduser(os.environ.get("KERAS_HOME", "~/.keras")))
    if base.exists() and not os.access(base, os.W_OK):
        base = Path("/tmp/.keras")
    return base / "datasets"


def load_imdb(num_words: int = 10000):
    """IMDB movie reviews through Keras's own loader and cache.

    Returns ``(x_train, y_train), (x_test, y_test)`` exactly as
    ``keras.datasets.imdb.load_data(num_words=num_words)``: 25,000 reviews each, as lists of
    word indices below ``num_words``, labels 0/1.

    Raises :class:`DatasetUnavailableError` when the file is not cached and cannot be
    downloaded, with the file name and the folder to copy it into.
    """
    if not isinstance(num_words, int) or num_words < 1:
        raise ValueError(f"num_words must be a positive integer, got {num_words!r}")
    from course.runtime import import_keras

    keras = import_keras()
    cached = keras_cache_dir() / IMDB_FILE_NAME
    try:
        return keras.datasets.imdb.load_data(num_words=num_words)
    except Exception as error:  # Keras raises a bare Exception on a failed download
        if cached.exists():
            raise
        raise DatasetUnavailableError(
            f"The IMDB data set file '{IMDB_FILE_NAME}' is not in the Keras cache and could not "
            f"be downloaded ({error}). On a machine with internet access, download {IMDB_ORIGIN} "
            f"and copy it to {cached} (create the folder {cached.parent} if needed), then run "
            "this cell again."
        ) from error
