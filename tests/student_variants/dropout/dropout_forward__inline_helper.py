import numpy as np


def _draw_mask(shape, rate, rng):
    return (rng.random(shape) >= rate).astype(np.float32)


def dropout_forward(a, rate, rng, training=True):
    if not 0.0 <= rate < 1.0:
        raise ValueError("dropout rate must be in [0, 1)")
    if training is False or rate == 0.0:
        return a, np.ones(a.shape, dtype=a.dtype)
    mask = _draw_mask(a.shape, rate, rng)
    return a * mask / (1.0 - rate), mask
