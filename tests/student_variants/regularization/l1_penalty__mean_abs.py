import numpy as np


def l1_penalty(weights, l1):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(l1 * sum(np.mean(np.abs(w)) for w in weights))
