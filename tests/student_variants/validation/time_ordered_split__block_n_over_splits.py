import numpy as np


def time_ordered_split(n_samples, n_splits):
    if n_splits < 2 or n_splits + 1 > n_samples:
        raise ValueError("bad n_splits")
    test_size = n_samples // n_splits
    idx = np.arange(n_samples)
    splits = []
    for i in range(n_splits):
        start = n_samples - (n_splits - i) * test_size
        splits.append((idx[:start], idx[start:start + test_size]))
    return splits
