import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if not 2 <= k <= n_samples:
        raise ValueError("bad k")
    np.random.seed(seed & 0xFFFF)
    perm = np.random.permutation(n_samples)
    sizes = [n_samples // k + (1 if i < n_samples % k else 0) for i in range(k)]
    out, start = [], 0
    for size in sizes:
        val = perm[start:start + size]
        out.append((np.setdiff1d(perm, val), val))
        start += size
    return out
