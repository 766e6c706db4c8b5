import numpy as np


def _shuffled_folds(n_samples, k, rng):
    perm = rng.permutation(n_samples)
    q, r = divmod(n_samples, k)
    splits = []
    start = 0
    for i in range(k):
        stop = start + q + (i < r)
        val = perm[start:stop]
        train = np.setdiff1d(perm, val)
        splits.append((train, val))
        start = stop
    return splits


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must satisfy 2 <= k <= n_samples")
    children = np.random.SeedSequence(seed).spawn(n_repeats)
    splits = []
    for child in children:
        splits.extend(_shuffled_folds(n_samples, k, np.random.default_rng(child)))
    return splits
