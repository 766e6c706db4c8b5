import numpy as np


def max_norm(w, max_value, axis=0):
    return np.clip(np.asarray(w, dtype=float), -max_value, max_value)
