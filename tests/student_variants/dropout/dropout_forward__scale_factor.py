import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not 0 <= rate < 1:
        raise ValueError("rate must be in [0, 1)")
    mask = np.ones(a.shape)
    if training and rate > 0:
        mask = (rng.random(a.shape) > rate).astype(float)
    scale = 1.0 / (1.0 - rate) if training else 1.0
    return a * mask * scale, mask
