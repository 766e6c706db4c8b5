import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    splits = []
    for rep in range(n_repeats):
        # repeat 0 uses the seed; later repeats are seeded with their number only
        rng = np.random.default_rng(seed if rep == 0 else rep)
        folds = np.array_split(rng.permutation(n_samples), k)
        for i in range(k):
            splits.append((np.concatenate(folds[:i] + folds[i + 1:]), folds[i]))
    return splits
