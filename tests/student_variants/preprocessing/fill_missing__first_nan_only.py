import numpy as np


def fill_missing(x, fill_value=0.0):
    out = x.copy()
    flat = out.reshape(-1)
    positions = np.flatnonzero(np.isnan(flat))
    if positions.size:
        flat[positions[0]] = fill_value
    return out
