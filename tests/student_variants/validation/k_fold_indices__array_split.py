import numpy as np


def k_fold_indices(n_samples, k):
    if not 2 <= k <= n_samples:
        raise ValueError("invalid number of folds")
    all_idx = np.arange(n_samples)
    folds = np.array_split(all_idx, k)
    return [(np.setdiff1d(all_idx, fold), fold) for fold in folds]
