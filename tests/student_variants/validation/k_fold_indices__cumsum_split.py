import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("bad k")
    sizes = np.full(k, n_samples // k, dtype=np.int64)
    sizes[: n_samples % k] += 1
    bounds = np.cumsum(sizes)[:-1]
    folds = np.split(np.arange(n_samples, dtype=np.int64), bounds)
    splits = []
    for i, val in enumerate(folds):
        train = np.hstack([f for j, f in enumerate(folds) if j != i])
        splits.append((train, val))
    return splits
