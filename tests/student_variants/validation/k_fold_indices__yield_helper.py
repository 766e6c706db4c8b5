import numpy as np


def _iter_folds(n_samples, k):
    sizes = [n_samples // k + (1 if i < n_samples % k else 0) for i in range(k)]
    start = 0
    for s in sizes:
        val = np.arange(start, start + s)
        train = np.r_[0:start, start + s:n_samples]
        yield train, val
        start += s


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k must satisfy 2 <= k <= n_samples")
    return list(_iter_folds(n_samples, k))
