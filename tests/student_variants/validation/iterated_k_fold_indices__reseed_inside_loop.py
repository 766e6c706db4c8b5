import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    q, r = divmod(n_samples, k)
    splits = []
    for rep in range(n_repeats):
        rs = np.random.RandomState(seed)
        perm = rs.permutation(n_samples)
        start = 0
        for i in range(k):
            stop = start + q + (1 if i < r else 0)
            splits.append((np.concatenate([perm[:start], perm[stop:]]), perm[start:stop]))
            start = stop
    return splits
