import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n_samples)
    folds = np.array_split(perm, k)
    splits = []
    for _ in range(n_repeats):
        for i in range(k):
            splits.append((np.concatenate(folds[:i] + folds[i + 1:]), folds[i]))
    return splits
