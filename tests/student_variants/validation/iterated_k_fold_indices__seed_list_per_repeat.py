import numpy as np


def iterated_k_fold_indices(n_samples, k, n_repeats, seed):
    if k < 2 or k > n_samples:
        raise ValueError("k must be between 2 and n_samples")
    sizes = [n_samples // k + (i < n_samples % k) for i in range(k)]
    splits = []
    for rep in range(n_repeats):
        perm = np.random.default_rng([seed, rep]).permutation(n_samples)  # one stream per (seed, repeat)
        start = 0
        for size in sizes:
            val = perm[start:start + size]
            splits.append((np.concatenate([perm[:start], perm[start + size:]]), val))
            start += size
    return splits
