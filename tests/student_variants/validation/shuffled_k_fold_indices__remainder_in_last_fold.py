import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    perm = np.random.default_rng(seed).permutation(n_samples)
    fold_size = n_samples // k
    splits = []
    for i in range(k):
        start = i * fold_size
        end = (i + 1) * fold_size if i < k - 1 else n_samples
        val = perm[start:end]
        train = np.concatenate([perm[:start], perm[end:]])
        splits.append((train, val))
    return splits
