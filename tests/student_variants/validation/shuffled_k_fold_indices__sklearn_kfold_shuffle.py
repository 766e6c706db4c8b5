import numpy as np
from sklearn.model_selection import KFold


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError(f"k={k} must be between 2 and n_samples={n_samples}")
    kfold = KFold(n_splits=k, shuffle=True, random_state=seed)
    return list(kfold.split(np.zeros(n_samples)))
