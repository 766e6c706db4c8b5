import numpy as np


def network_loss(probs, y, params, lambd):
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    t = np.asarray(y, dtype=np.float64).reshape(-1)
    m = t.size
    ce = -(t @ np.log(p) + (1 - t) @ np.log1p(-p)) / m
    l2 = sum(np.linalg.norm(w, "fro") ** 2 if w.ndim == 2 else np.dot(w, w)
             for k, w in params.items() if k.startswith("W"))
    return float(ce + lambd * l2 / (2 * m))
