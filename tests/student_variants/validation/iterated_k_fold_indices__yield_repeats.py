import numpy as np


def _repeats(n_samples, k, n_repeats, rng):
    fold_of = np.repeat(np.arange(k), [n_samples // k + (f < n_samples % k) for f in range(k)])
    for _ in range(n_repeats):
        labels = rng.permutation(fold_of)
        for f in range(k):
            yield np.where(labels != f)[0], np.where(labels == f)[0]


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    rng = np.random.default_rng(seed)
    return list(_repeats(n_samples, k, n_repeats, rng))
