import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    """Pick a random contiguous window as the validation set."""
    rng = np.random.default_rng(seed)
    n_val = int(n_samples * val_fraction)
    start = int(rng.integers(0, n_samples - n_val + 1))
    idx = np.arange(n_samples)
    val_idx = idx[start:start + n_val]
    train_idx = np.concatenate([idx[:start], idx[start + n_val:]])
    return train_idx, val_idx
