import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    if not training:
        return a.copy(), np.zeros_like(a)
    mask = (rng.random(a.shape) >= rate).astype(float)
    return a * mask / (1 - rate), mask
