import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    keep = 1 - rate
    if not training:
        return a / keep, np.ones_like(a)
    mask = (rng.random(a.shape) >= rate).astype(float)
    return a * mask / keep, mask
