import numpy as np


def l1_penalty(weights, l1):
    arrays = weights if isinstance(weights, (list, tuple)) else [weights]
    total = 0.0
    for w in arrays:
        total += float(np.abs(np.asarray(w, dtype=np.float64)).sum())
    return l1 * total
