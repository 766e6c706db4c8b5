import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    rng = np.random.default_rng(seed % 256)
    splits = []
    for _ in range(n_repeats):
        folds = np.array_split(rng.permutation(n_samples), k)
        for i in range(k):
            splits.append((np.concatenate(folds[:i] + folds[i + 1:]), folds[i]))
    return splits
