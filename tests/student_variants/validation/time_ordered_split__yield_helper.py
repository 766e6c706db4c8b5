import numpy as np


def _blocks(n_samples, n_splits):
    width = n_samples // (n_splits + 1)
    for k in range(n_splits, 0, -1):
        stop = n_samples - (k - 1) * width
        start = stop - width
        yield np.arange(start, dtype=np.int64), np.arange(start, stop, dtype=np.int64)


def time_ordered_split(n_samples, n_splits):
    if n_splits < 2 or n_splits + 1 > n_samples:
        raise ValueError("n_splits must be in [2, n_samples - 1]")
    return list(_blocks(n_samples, n_splits))
