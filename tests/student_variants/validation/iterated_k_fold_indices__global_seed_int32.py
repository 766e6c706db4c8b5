import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if not 2 <= k <= n_samples:
        raise ValueError("bad number of folds")
    np.random.seed(seed)
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    edges = np.concatenate([[0], np.cumsum(sizes)])
    all_splits = []
    for r in range(n_repeats):
        perm = np.random.permutation(n_samples).astype(np.int32)
        for i in range(k):
            val = np.sort(perm[edges[i]:edges[i + 1]])
            mask = np.ones(n_samples, dtype=bool)
            mask[val] = False
            train = np.flatnonzero(mask).astype(np.int32)
            all_splits.append((train, val))
    return all_splits
