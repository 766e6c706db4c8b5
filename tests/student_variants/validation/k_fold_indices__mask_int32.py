import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    base = n_samples // k
    extra = n_samples % k
    idx = np.arange(n_samples, dtype=np.int32)
    out = []
    start = 0
    for fold in range(k):
        size = base + 1 if fold < extra else base
        mask = np.zeros(n_samples, dtype=bool)
        mask[start:start + size] = True
        out.append((idx[~mask], idx[mask]))
        start += size
    return out
