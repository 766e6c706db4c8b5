import numpy as np


def time_ordered_split(n_samples, n_splits):
    if n_splits < 2 or n_splits + 1 > n_samples:
        raise ValueError("bad n_splits")
    test_size = n_samples // (n_splits + 1)
    idx = np.arange(0, n_samples, 1.0)
    splits = []
    for start in range(n_samples - n_splits * test_size, n_samples, test_size):
        splits.append((idx[:start], idx[start:start + test_size]))
    return splits
