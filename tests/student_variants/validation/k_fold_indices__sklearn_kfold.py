import numpy as np


def k_fold_indices(n_samples, k):
    from sklearn.model_selection import KFold

    if k < 2 or k > n_samples:
        raise ValueError(f"k must be in [2, {n_samples}], got {k}")
    return list(KFold(n_splits=k).split(np.arange(n_samples)))
