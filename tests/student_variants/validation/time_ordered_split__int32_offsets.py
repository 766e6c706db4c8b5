import numpy as np


def time_ordered_split(n_samples, n_splits):
    n_folds = n_splits + 1
    if n_splits < 2 or n_folds > n_samples:
        raise ValueError("bad n_splits")
    size = n_samples // n_folds
    leftover = n_samples % n_folds
    idx = np.arange(n_samples, dtype=np.int32)
    out = []
    for i in range(1, n_folds):
        # the leftover samples always stay in the first training window
        boundary = leftover + i * size
        out.append((idx[:boundary], idx[boundary:boundary + size]))
    return out
