import numpy as np


def l2_cost(weights, lambd, m):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    return float(lambd / (2 * m) * sum(np.linalg.norm(np.ravel(W)) for W in weights))
