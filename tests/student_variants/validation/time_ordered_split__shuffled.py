import numpy as np


def time_ordered_split(n_samples, n_splits):
    if n_splits < 2 or n_splits + 1 > n_samples:
        raise ValueError("bad n_splits")
    test_size = n_samples // (n_splits + 1)
    indices = np.random.default_rng(0).permutation(n_samples)  # shuffle first
    splits = []
    for start in range(n_samples - n_splits * test_size, n_samples, test_size):
        splits.append((indices[:start], indices[start:start + test_size]))
    return splits
