import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    rng = np.random.default_rng(seed)
    splits = []
    for _ in range(n_repeats):
        perm = rng.permutation(n_samples)
        folds = np.array_split(perm, k)
        for i in range(k):
            train = np.concatenate(folds[:i] + folds[i + 1:])
            splits.append((train, folds[i]))
    return splits
