import numpy as np


def max_norm(w, max_value, axis=0):
    w = np.asarray(w, dtype=float)
    norms = np.sqrt(np.sum(w ** 2, axis=axis, keepdims=True))
    return w * (max_value / (norms + 1e-7))
