import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if not (0 <= rate < 1):
        raise ValueError("rate must be in [0, 1)")
    a = np.asarray(a, dtype=float)
    if training and rate > 0:
        keep_prob = 1 - rate
        mask = (rng.uniform(size=a.shape) < keep_prob).astype(float)
        out = np.where(mask == 1, a / keep_prob, 0.0)
    else:
        mask = np.ones_like(a)
        out = a.copy()
    return out, mask
