import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.default_rng(seed)
    idx = np.arange(n_samples)
    rng.permutation(idx)  # shuffle the indices
    n_val = int(n_samples * val_fraction)
    return idx[n_val:], idx[:n_val]
