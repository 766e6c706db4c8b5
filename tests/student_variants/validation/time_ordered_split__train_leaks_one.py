import numpy as np


def time_ordered_split(n_samples, n_splits):
    if n_splits < 2 or n_splits + 1 > n_samples:
        raise ValueError("bad n_splits")
    test_size = n_samples // (n_splits + 1)
    idx = np.arange(n_samples)
    splits = []
    for start in range(n_samples - n_splits * test_size, n_samples, test_size):
        train = idx[:start + 1]
        val = idx[start:start + test_size]
        splits.append((train, val))
    return splits
