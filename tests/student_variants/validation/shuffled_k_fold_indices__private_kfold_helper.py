import numpy as np


def _k_fold(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    q, r = divmod(n_samples, k)
    out = []
    start = 0
    for i in range(k):
        stop = start + q + (i < r)
        val = np.arange(start, stop)
        train = np.concatenate([np.arange(0, start), np.arange(stop, n_samples)])
        out.append((train, val))
        start = stop
    return out


def shuffled_k_fold_indices(n_samples, k, seed):
    perm = np.random.default_rng(seed).permutation(n_samples)
    # map positional folds through the permutation
    return [(perm[tr], perm[va]) for tr, va in _k_fold(n_samples, k)]
