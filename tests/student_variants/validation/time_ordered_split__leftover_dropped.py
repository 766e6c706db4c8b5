import numpy as np


def time_ordered_split(n_samples, n_splits):
    if n_splits < 2 or n_splits + 1 > n_samples:
        raise ValueError("bad n_splits")
    size = n_samples // (n_splits + 1)
    idx = np.arange(n_samples)
    splits = []
    for i in range(1, n_splits + 1):
        train = idx[: i * size]
        val = idx[i * size:(i + 1) * size]
        splits.append((train, val))
    return splits
