import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    rng = np.random.default_rng(seed)
    q, r = divmod(n_samples, k)
    splits = []
    start = 0
    for i in range(k):
        perm = rng.permutation(n_samples)
        stop = start + q + (1 if i < r else 0)
        val = perm[start:stop]
        train = np.concatenate([perm[:start], perm[stop:]])
        splits.append((train, val))
        start = stop
    return splits
