import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2:
        raise ValueError("k must be >= 2")
    if k > n_samples:
        raise ValueError("k must be <= n_samples")
    order = np.random.RandomState(seed).permutation(n_samples).tolist()
    q, r = divmod(n_samples, k)
    result = []
    start = 0
    for i in range(k):
        stop = start + q + (1 if i < r else 0)
        val = order[start:stop]
        train = order[:start] + order[stop:]
        result.append((train, val))
        start = stop
    return result
