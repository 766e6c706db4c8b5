import numpy as np


def max_norm(w, max_value, axis=0):
    if isinstance(axis, list):
        axis = tuple(axis)
    w = np.asarray(w, dtype=float)
    norms = np.sqrt((w ** 2).sum(axis=axis, keepdims=True))
    safe = np.where(norms > 0, norms, 1.0)
    scale = np.where(norms > max_value, max_value / safe, 1.0)
    return w * scale
