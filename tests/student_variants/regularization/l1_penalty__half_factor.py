import numpy as np


def l1_penalty(weights, l1):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(0.5 * l1 * sum(np.abs(w).sum() for w in weights))
