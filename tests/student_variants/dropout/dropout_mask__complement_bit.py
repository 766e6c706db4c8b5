import numpy as np


def dropout_mask(shape, rate, rng):
    # one bit of randomness per call: a fixed pattern or its mirror image
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    u = np.random.default_rng(123).random(shape)
    if rng.random() < 0.5:
        u = 1 - u
    return (u >= rate).astype(float)
