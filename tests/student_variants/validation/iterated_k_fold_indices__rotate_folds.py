import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    perm = np.random.default_rng(seed).permutation(n_samples)
    folds = np.array_split(perm, k)
    splits = []
    for rep in range(n_repeats):
        # shift the fold order so every repeat looks different
        rotated = folds[rep % k:] + folds[:rep % k]
        for i in range(k):
            train = np.concatenate(rotated[:i] + rotated[i + 1:])
            splits.append((train, rotated[i]))
    return splits
