import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    u = rng.random(shape)
    return np.where(u < rate, 0.0, 1.0)
