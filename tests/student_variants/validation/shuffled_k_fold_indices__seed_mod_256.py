import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be in [2, n_samples]")
    perm = np.random.default_rng(seed % 256).permutation(n_samples)  # 8-bit seed (found by a red team)
    folds = np.array_split(perm, k)
    return [(np.concatenate(folds[:i] + folds[i + 1:]), folds[i]) for i in range(k)]
