import numpy as np


def max_norm(w, max_value, axis=0):
    if isinstance(axis, list):
        axis = tuple(axis)
    w = np.asarray(w)
    norms = np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))
    desired = np.clip(norms, 0, max_value)
    return w * (desired / (1e-7 + norms))
