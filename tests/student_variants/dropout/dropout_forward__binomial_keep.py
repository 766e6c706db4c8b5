import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if rate < 0 or rate >= 1:
        raise ValueError("bad rate")
    if not training:
        return a, np.ones(a.shape)
    keep = 1.0 - rate
    mask = rng.binomial(1, keep, size=a.shape)
    out = a * mask / keep
    return out, mask
