import numpy as np


def l2_penalty(weights, l2):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(l2 * sum(np.linalg.norm(np.ravel(w)) for w in weights))
