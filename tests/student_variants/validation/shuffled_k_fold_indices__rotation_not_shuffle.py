import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    order = np.roll(np.arange(n_samples), -(seed % n_samples))
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    splits, start = [], 0
    for size in sizes:
        val = order[start:start + size]
        train = np.concatenate([order[:start], order[start + size:]])
        splits.append((train, val))
        start += size
    return splits
