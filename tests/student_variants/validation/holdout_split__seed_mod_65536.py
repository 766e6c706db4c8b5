import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.default_rng(seed % 65536)
    perm = rng.permutation(n_samples)
    n_val = int(n_samples * val_fraction)
    return perm[n_val:], perm[:n_val]
