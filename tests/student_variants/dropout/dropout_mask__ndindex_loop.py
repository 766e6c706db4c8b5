import numpy as np


def dropout_mask(shape, rate, rng):
    if rate < 0 or rate >= 1:
        raise ValueError("rate must be in [0, 1)")
    mask = np.zeros(shape)
    for idx in np.ndindex(mask.shape):
        if rng.random() >= rate:
            mask[idx] = 1.0
    return mask
