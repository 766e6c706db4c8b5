import numpy as np


def l2_cost(weights, lambd, m):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(lambd / m * sum(np.sum(np.square(w)) for w in weights))
