import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    """Assign every sample a fold label, then shuffle the labels."""
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    sizes = [n_samples // k + (i < n_samples % k) for i in range(k)]
    labels = np.repeat(np.arange(k), sizes)
    rng = np.random.default_rng(seed)
    labels = labels[rng.permutation(n_samples)]
    splits = []
    for f in range(k):
        splits.append((np.flatnonzero(labels != f), np.flatnonzero(labels == f)))
    return splits
