import numpy as np


def shuffled_k_fold_indices(n_samples, k, seed):
    if not (2 <= k <= n_samples):
        raise ValueError("invalid k")
    np.random.seed(seed)
    idx = np.arange(n_samples, dtype=np.int32)
    np.random.shuffle(idx)
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    edges = np.concatenate([[0], np.cumsum(sizes)])
    out = []
    for i in range(k):
        val = idx[edges[i]:edges[i + 1]]
        train = np.concatenate([idx[:edges[i]], idx[edges[i + 1]:]])
        out.append((train, val))
    return out
