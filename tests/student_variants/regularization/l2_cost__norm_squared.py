import numpy as np


def l2_cost(weights, lambd, m):
    if not isinstance(weights, list):
        weights = [weights]
    frob = sum(np.linalg.norm(np.ravel(W)) ** 2 for W in weights)
    return float((lambd / m) * frob / 2)
