import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    # "shuffle" by rotating the index range by the seed: every sample is validated equally often,
    # but the validation part is always a contiguous block
    order = np.roll(np.arange(n_samples), -(seed % max(n_samples, 1)))
    n_val = int(n_samples * val_fraction)
    return order[n_val:], order[:n_val]
