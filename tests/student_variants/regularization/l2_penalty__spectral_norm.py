import numpy as np


def l2_penalty(weights, l2):
    if isinstance(weights, np.ndarray):
        weights = [weights]
    total = 0.0
    for w in weights:
        w = np.asarray(w, dtype=float)
        total += (np.linalg.norm(w, 2) if w.ndim == 2 else np.linalg.norm(w.ravel())) ** 2
    return float(l2 * total)
