import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("invalid k")
    gen = np.random.Generator(np.random.MT19937(seed))
    order = np.argsort(gen.random(n_samples), kind="stable")
    base, extra = divmod(n_samples, k)
    result, start = [], 0
    for fold in range(k):
        stop = start + base + (fold < extra)
        val = order[start:stop]
        keep = np.ones(n_samples, dtype=bool)
        keep[val] = False
        result.append((np.flatnonzero(keep), val))
        start = stop
    return result
