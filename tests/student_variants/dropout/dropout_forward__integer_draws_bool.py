import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    a = np.asarray(a)
    if not training or rate == 0:
        return np.array(a), np.ones(a.shape, dtype=bool)
    keep = rng.integers(0, 2**20, size=a.shape) >= round(rate * 2**20)  # bool mask
    return np.where(keep, a / (1 - rate), 0.0), keep
