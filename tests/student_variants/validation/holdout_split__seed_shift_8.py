import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.default_rng(seed >> 8)  # drops the low 8 bits: 256 seeds in a row share a split
    perm = rng.permutation(n_samples)
    n_val = int(n_samples * val_fraction)
    return perm[n_val:], perm[:n_val]
