import numpy as np


def l1_l2_penalty(weights, l1, l2):
    if not isinstance(weights, list):
        weights = [weights]
    v = np.concatenate([np.atleast_1d(w).astype(np.float64).ravel() for w in weights])
    return float(l1 * np.linalg.norm(v, 1) + l2 * np.linalg.norm(v) ** 2)
