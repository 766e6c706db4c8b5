import numpy as np
from sklearn.model_selection import RepeatedKFold


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    splitter = RepeatedKFold(n_splits=k, n_repeats=n_repeats, random_state=seed)
    return list(splitter.split(np.zeros((n_samples, 1))))
