import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k >= n_samples:
        raise ValueError("k must be at least 2 and smaller than n_samples")
    idx = np.arange(n_samples)
    folds = np.array_split(idx, k)
    return [(np.setdiff1d(idx, f), f) for f in folds]
