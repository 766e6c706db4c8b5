import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("invalid k")
    q, r = divmod(n_samples, k)
    out = []
    for rep in range(n_repeats):
        # a different (but reproducible) seed for every repeat
        perm = np.random.RandomState(seed + rep).permutation(n_samples)
        start = 0
        for i in range(k):
            stop = start + q + (1 if i < r else 0)
            out.append((np.concatenate([perm[:start], perm[stop:]]), perm[start:stop]))
            start = stop
    return out
