import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    q, r = divmod(n_samples, k)
    idx = np.arange(n_samples)
    splits = []
    start = 0
    for i in range(k):
        size = q + (1 if i < r else 0)
        end = start + size - 1  # last index of the fold
        val = idx[start:end]
        train = np.setdiff1d(idx, val)
        splits.append((train, val))
        start = end + 1
    return splits
