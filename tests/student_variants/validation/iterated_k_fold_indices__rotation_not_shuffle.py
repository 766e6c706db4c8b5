import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    splits = []
    for repeat in range(n_repeats):
        order = np.roll(np.arange(n_samples), -((seed + repeat) % n_samples))
        start = 0
        for size in sizes:
            splits.append((np.concatenate([order[:start], order[start + size:]]), order[start:start + size]))
            start += size
    return splits
