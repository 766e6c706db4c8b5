"""IMDB movie reviews through Keras's loader and cache, and one seed's split of them."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from course.data.base import DatasetUnavailableError, Split, disjoint_draw, keras_cache_dir

IMDB_FILE_NAME = "imdb.npz"
IMDB_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
IMDB_WORDS = 10000  # the book's vocabulary: the 10,000 most frequent words
IMDB_LENGTH = 500  # reviews are cut or padded to this many word indices; the model multi-hots them


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


@lru_cache(maxsize=16)
def load_imdb_split(seed: int = 0, n_train: int = 15000, n_val: int = 10000) -> Split:
    """``n_train`` training and ``n_val`` validation reviews of IMDB's 25,000 training reviews (disjoint,
    drawn for ``seed``) and its 25,000 test reviews: rows of ``IMDB_LENGTH`` word indices below
    ``IMDB_WORDS`` (0 pads), labels float32 (n, 1) 0/1. Needs :func:`load_imdb`'s file. Cached per process."""
    from course.runtime import import_keras

    keras = import_keras()
    (x_train, y_train), (x_test, y_test) = load_imdb(num_words=IMDB_WORDS)

    def padded(reviews) -> np.ndarray:
        return keras.utils.pad_sequences(list(reviews), maxlen=IMDB_LENGTH, padding="post", truncating="post")

    note = ""
    if n_train + n_val > len(x_train):
        n_train, n_val = len(x_train) - len(x_train) // 2, len(x_train) // 2
        note = f"only {len(x_train)} training reviews: using {n_train} + {n_val}"
    train, val = disjoint_draw(len(x_train), n_train, n_val, seed)
    # labels as (n, 1) floats: the shape of the single sigmoid output, as Keras's binary metrics need
    x_all, y_all = padded(x_train), np.asarray(y_train, dtype=np.float32).reshape(-1, 1)
    return Split(x_all[train], y_all[train], x_all[val], y_all[val], padded(x_test),
                 np.asarray(y_test, dtype=np.float32).reshape(-1, 1), "imdb.npz (Keras cache)", note)
