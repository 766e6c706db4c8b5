import numpy as np


def max_norm(w, max_value, axis=0):
    norms = np.sqrt(np.sum(w ** 2, axis=axis, keepdims=True))
    scale = np.clip(norms, 0, max_value) / (norms + 1e-7)
    w *= scale
    return w
