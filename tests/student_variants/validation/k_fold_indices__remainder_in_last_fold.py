import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    fold_size = n_samples // k
    idx = np.arange(n_samples)
    splits = []
    for i in range(k):
        start = i * fold_size
        stop = n_samples if i == k - 1 else start + fold_size
        val = idx[start:stop]
        train = np.concatenate([idx[:start], idx[stop:]])
        splits.append((train, val))
    return splits
