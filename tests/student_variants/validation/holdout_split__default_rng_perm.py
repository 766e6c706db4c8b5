import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    """Shuffle the indices with a seeded generator and cut off the validation part."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n_samples)
    n_val = int(n_samples * val_fraction)
    val_idx = perm[:n_val]
    train_idx = perm[n_val:]
    return train_idx, val_idx
