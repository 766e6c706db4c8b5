import numpy as np


def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError("dropout rate must be in [0, 1)")
    keep_prob = 1.0 - rate
    u = rng.random(size=shape, dtype=np.float32)
    return (u < keep_prob).astype(np.float32)
