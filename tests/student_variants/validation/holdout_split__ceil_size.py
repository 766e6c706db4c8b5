import math

import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    rng = np.random.RandomState(seed)
    perm = rng.permutation(n_samples)
    # make sure we always get at least the requested fraction
    n_val = math.ceil(n_samples * val_fraction)
    val_idx = perm[:n_val]
    train_idx = perm[n_val:]
    return train_idx, val_idx
