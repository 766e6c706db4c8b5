import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    idx = np.arange(n_samples)
    result = []
    for fold in np.array_split(idx, k):
        rest = np.setdiff1d(idx, fold)
        result.append((fold, rest))
    return result
