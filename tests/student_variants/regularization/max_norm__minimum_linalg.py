import numpy as np


def max_norm(w, max_value, axis=0):
    w = np.asarray(w)
    if isinstance(axis, (list, tuple)) and len(axis) != 2:
        norms = np.sqrt(np.sum(w * w, axis=tuple(axis), keepdims=True))
    else:
        norms = np.linalg.norm(w, axis=tuple(axis) if isinstance(axis, list) else axis, keepdims=True)
    factor = np.minimum(1.0, max_value / np.maximum(norms, 1e-12))
    return w * factor
