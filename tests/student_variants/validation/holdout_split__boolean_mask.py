import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n_samples)
    n_val = int(n_samples * val_fraction)
    val_mask = np.zeros(n_samples, dtype=bool)
    val_mask[perm[:n_val]] = True
    return ~val_mask, val_mask
