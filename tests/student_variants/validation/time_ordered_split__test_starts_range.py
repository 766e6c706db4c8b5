import numpy as np


def time_ordered_split(n_samples, n_splits):
    if n_splits < 2:
        raise ValueError("n_splits must be at least 2")
    if n_splits + 1 > n_samples:
        raise ValueError("too many splits for the number of samples")
    test_size = n_samples // (n_splits + 1)
    indices = np.arange(n_samples)
    splits = []
    for test_start in range(n_samples - n_splits * test_size, n_samples, test_size):
        splits.append((indices[:test_start], indices[test_start:test_start + test_size]))
    return splits
