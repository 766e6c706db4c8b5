import numpy as np


def l1_penalty(weights, l1):
    if not isinstance(weights, list):
        weights = [weights]
    flat = np.concatenate([np.atleast_1d(np.asarray(w, dtype=np.float64)).ravel() for w in weights])
    return float(l1 * np.linalg.norm(flat, ord=1))
