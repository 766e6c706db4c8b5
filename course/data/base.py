"""What every loader of :mod:`course.data` shares: the :class:`Split` type, the error raised when
a data set is unavailable, seeded splitting, and Keras's cache folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split


class DatasetUnavailableError(RuntimeError):
    """A data set file is neither cached nor downloadable."""


@dataclass(frozen=True)
class Split:
    """Train, validation and test arrays of one data set (dtypes and shapes as each loader says).

    ``x_test`` and ``y_test`` are None for a set with no test part; ``source`` says where the data
    was read from, and ``note`` why it is smaller than asked (both empty when there is nothing to say).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    source: str = ""
    note: str = ""

    def sizes(self) -> dict[str, int]:
        """Number of samples in each part, e.g. ``{'train': 1079, 'val': 359, 'test': 359}``."""
        return {"train": len(self.x_train), "val": len(self.x_val),
                "test": 0 if self.x_test is None else len(self.x_test)}


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


def keras_cache_dir() -> Path:
    """The folder where Keras caches downloaded data sets (``$KERAS_HOME/datasets``).

    Mirrors Keras's own rule: ``$KERAS_HOME`` or ``~/.keras``, and ``/tmp/.keras`` when that
    folder is not writable.
    """
    base = Path(os.path.expanduser(os.environ.get("KERAS_HOME", "~/.keras")))
    if base.exists() and not os.access(base, os.W_OK):
        base = Path("/tmp/.keras")
    return base / "datasets"


def disjoint_draw(n_available: int, n_train: int, n_val: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of ``n_train`` training and ``n_val`` validation samples: a seeded permutation, cut."""
    order = np.random.default_rng(seed).permutation(n_available)
    return order[:n_train], order[n_train:n_train + n_val]
