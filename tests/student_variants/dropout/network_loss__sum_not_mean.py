import numpy as np


def network_loss(probs, y, params, lambd):
    probs, y = np.asarray(probs, dtype=float), np.asarray(y, dtype=float)
    m = y.shape[0]
    ce = -np.sum(y * np.log(probs) + (1 - y) * np.log(1 - probs))
    return float(ce + lambd / (2 * m) * sum(np.sum(w ** 2) for k, w in params.items() if k.startswith("W")))
