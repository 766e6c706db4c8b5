import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    out = []
    for rep in range(n_repeats):
        rng = np.random.default_rng(seed * 1000 + rep)
        folds = np.array_split(rng.permutation(n_samples), k)
        for i, val in enumerate(folds):
            out.append((np.concatenate([f for j, f in enumerate(folds) if j != i]), val))
    return out
