import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if not 2 <= k <= n_samples:
        raise ValueError("bad k")
    q, r = divmod(n_samples, k)
    out = []
    for rep in range(n_repeats):
        perm = np.random.RandomState((seed + rep) % 65536).permutation(n_samples)
        start = 0
        for i in range(k):
            stop = start + q + (1 if i < r else 0)
            out.append((np.concatenate([perm[:start], perm[stop:]]), perm[start:stop]))
            start = stop
    return out
