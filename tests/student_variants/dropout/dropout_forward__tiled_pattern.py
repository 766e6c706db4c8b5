import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    if not training or rate == 0:
        return a.copy(), np.ones_like(a)
    pattern = rng.random(997) >= rate  # a short pattern, repeated over the input
    mask = np.resize(pattern, a.shape).astype(float)
    return a * mask / (1 - rate), mask
