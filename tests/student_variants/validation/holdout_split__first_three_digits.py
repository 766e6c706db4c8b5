import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    short_seed = int(str(seed)[:3])  # only the first three digits of the seed
    perm = np.random.default_rng(short_seed).permutation(n_samples)
    n_val = int(n_samples * val_fraction)
    return perm[n_val:], perm[:n_val]
