import random


def holdout_split(n_samples, val_fraction, seed):
    """Pure-Python version returning lists of ints."""
    rnd = random.Random(seed)
    idx = list(range(n_samples))
    rnd.shuffle(idx)
    n_val = int(n_samples * val_fraction)
    val_idx = idx[:n_val]
    train_idx = idx[n_val:]
    return train_idx, val_idx
