import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    keep = 1.0 if rng.random() >= rate else 0.0
    return np.full(shape, keep)
