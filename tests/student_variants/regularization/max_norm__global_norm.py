import numpy as np


def max_norm(w, max_value, axis=0):
    w = np.asarray(w, dtype=float)
    n = np.linalg.norm(w)
    if n > max_value:
        return w * (max_value / n)
    return w.copy()
