import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    if not training or rate == 0:
        return a.copy(), np.ones_like(a)
    mask = (rng.random(a.shape) >= rate).astype(float)
    return a * mask / rate, mask
