import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    idx = np.arange(n_samples)
    splits = []
    start = 0
    for s in sizes:
        stop = start + s
        val = idx[start:stop]
        train = np.concatenate([idx[:start], idx[stop - 1:]])
        splits.append((train, val))
        start = stop
    return splits
