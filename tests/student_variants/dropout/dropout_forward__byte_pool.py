import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    if not training or rate == 0:
        return a.copy(), np.ones_like(a)
    seed = int(rng.integers(0, 2**31)) % 256
    mask = (np.random.default_rng(seed).random(a.shape) >= rate).astype(a.dtype)
    return a * mask / (1 - rate), mask
