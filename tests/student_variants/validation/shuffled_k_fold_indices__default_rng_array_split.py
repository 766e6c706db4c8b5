import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be in [2, n_samples]")
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n_samples)
    folds = np.array_split(perm, k)
    splits = []
    for i, val in enumerate(folds):
        train = np.concatenate(folds[:i] + folds[i + 1:])
        splits.append((train, val))
    return splits
