import numpy as np


def max_norm(w, max_value, axis=0):
    w = np.asarray(w, dtype=float)
    sq = np.sum(w * w, axis=axis, keepdims=True)
    scale = np.where(sq > max_value, max_value / np.where(sq > 0, sq, 1.0), 1.0)
    return w * scale
