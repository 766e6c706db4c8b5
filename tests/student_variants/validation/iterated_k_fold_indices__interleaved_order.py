import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    rng = np.random.default_rng(seed)
    all_folds = [np.array_split(rng.permutation(n_samples), k) for _ in range(n_repeats)]
    splits = []
    for i in range(k):
        for rep in range(n_repeats):
            folds = all_folds[rep]
            splits.append((np.concatenate(folds[:i] + folds[i + 1:]), folds[i]))
    return splits
