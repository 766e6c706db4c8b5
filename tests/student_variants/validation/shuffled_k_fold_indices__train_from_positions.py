import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n_samples)
    q, r = divmod(n_samples, k)
    all_idx = np.arange(n_samples)
    splits = []
    start = 0
    for i in range(k):
        stop = start + q + (1 if i < r else 0)
        val = perm[start:stop]
        train = np.setdiff1d(all_idx, np.arange(start, stop))
        splits.append((train, val))
        start = stop
    return splits
