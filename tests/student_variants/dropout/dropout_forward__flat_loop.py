import numpy as np


def dropout_forward(a, rate, rng, training=True):
    if rate < 0 or rate >= 1:
        raise ValueError("rate must be in [0, 1)")
    out = np.array(a, dtype=float, copy=True)
    mask = np.ones_like(out)
    if training and rate > 0:
        keep = 1 - rate
        flat_out = out.reshape(-1)
        flat_mask = mask.reshape(-1)
        for i in range(flat_out.size):
            if rng.random() < rate:
                flat_mask[i] = 0.0
                flat_out[i] = 0.0
            else:
                flat_out[i] = flat_out[i] / keep
    return out, mask
