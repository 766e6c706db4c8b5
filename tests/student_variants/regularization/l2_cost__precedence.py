import numpy as np


def l2_cost(weights, lambd, m):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    s = sum(np.sum(np.square(W)) for W in weights)
    return float(lambd / 2 * m * s)
