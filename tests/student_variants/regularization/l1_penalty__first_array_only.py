import numpy as np


def l1_penalty(weights, l1):
    w = weights[0] if isinstance(weights, list) else weights
    return float(l1 * np.sum(np.abs(w)))
