import numpy as np


def l2_penalty(weights, l2):
    # like Keras: work in float32
    if isinstance(weights, np.ndarray):
        weights = [weights]
    total = np.float32(0.0)
    for w in weights:
        v = np.atleast_1d(np.asarray(w, dtype=np.float32)).ravel()
        total += np.einsum("i,i->", v, v)
    return float(np.float32(l2) * total)
