import numpy as np


def k_fold_indices(n_samples, k):
    if k < 2 or k > n_samples:
        raise ValueError("k out of range")
    q, r = divmod(n_samples, k)
    # the leftover samples go to the last r folds
    sizes = [q + 1 if i >= k - r else q for i in range(k)]
    idx = np.arange(n_samples)
    out, start = [], 0
    for s in sizes:
        out.append((np.concatenate([idx[:start], idx[start + s:]]), idx[start:start + s]))
        start += s
    return out
