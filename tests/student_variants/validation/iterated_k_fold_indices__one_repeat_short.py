import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    rng = np.random.default_rng(seed)
    splits = []
    for rep in range(1, n_repeats):
        perm = rng.permutation(n_samples)
        folds = np.array_split(perm, k)
        for i in range(k):
            splits.append((np.concatenate(folds[:i] + folds[i + 1:]), folds[i]))
    return splits
