import numpy as np


def _mask(shape, rate, rng):
    return (rng.random(shape) >= rate).astype(float)


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    if not training or rate == 0:
        return a.copy(), np.ones_like(a)
    out = a * _mask(a.shape, rate, rng) / (1 - rate)
    return out, _mask(a.shape, rate, rng)
