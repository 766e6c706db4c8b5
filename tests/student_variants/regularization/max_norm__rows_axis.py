import numpy as np


def max_norm(w, max_value, axis=0):
    w = np.asarray(w, dtype=float)
    norms = np.sqrt(np.sum(w ** 2, axis=1, keepdims=True))
    desired = np.clip(norms, 0, max_value)
    return w * desired / (norms + 1e-7)
