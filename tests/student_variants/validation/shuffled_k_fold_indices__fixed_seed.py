import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    perm = np.random.RandomState(42).permutation(n_samples)
    q, r = divmod(n_samples, k)
    splits, start = [], 0
    for i in range(k):
        stop = start + q + (1 if i < r else 0)
        splits.append((np.concatenate([perm[:start], perm[stop:]]), perm[start:stop]))
        start = stop
    return splits
