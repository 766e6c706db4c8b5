import math

import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    fold_size = math.ceil(n_samples / k)
    idx = np.arange(n_samples)
    splits = []
    for i in range(k):
        val = idx[i * fold_size:min((i + 1) * fold_size, n_samples)]
        train = np.setdiff1d(idx, val)
        splits.append((train, val))
    return splits
