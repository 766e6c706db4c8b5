import numpy as np


def holdout_split(n_samples, val_fraction, seed):
    np.random.seed(seed)
    shuffled = np.random.permutation(n_samples)
    val_size = int(n_samples * val_fraction)
    return shuffled[val_size:], shuffled[:val_size]
