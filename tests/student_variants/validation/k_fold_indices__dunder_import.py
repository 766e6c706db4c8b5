import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("bad k")
    kfold = __import__("sklearn.model_selection", fromlist=["KFold"]).KFold
    return list(kfold(k).split(np.arange(n_samples)))
