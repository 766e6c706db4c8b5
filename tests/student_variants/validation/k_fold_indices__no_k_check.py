import numpy as np


def k_fold_indices(n_samples, k):
    idx = np.arange(n_samples)
    folds = np.array_split(idx, k)
    return [(np.setdiff1d(idx, f), f) for f in folds]
