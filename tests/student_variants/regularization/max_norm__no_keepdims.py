import numpy as np


def max_norm(w, max_value, axis=0):
    w = np.asarray(w, dtype=float)
    norms = np.linalg.norm(w, axis=axis)
    scale = np.minimum(1.0, max_value / np.maximum(norms, 1e-12))
    return w * scale
