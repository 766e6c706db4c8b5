import numpy as np


def time_ordered_split(n_samples, n_splits):
    if n_splits < 2 or n_splits + 1 > n_samples:
        raise ValueError("bad n_splits")
    test_size = n_samples // (n_splits + 1)
    first_start = n_samples - n_splits * test_size
    window = first_start
    idx = np.arange(n_samples)
    splits = []
    for start in range(first_start, n_samples, test_size):
        splits.append((idx[start - window:start], idx[start:start + test_size]))
    return splits
