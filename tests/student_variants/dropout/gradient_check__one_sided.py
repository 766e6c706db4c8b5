import numpy as np


def gradient_check(loss, params, grads, eps=1e-7):
    base = loss(params)
    a, n = [], []
    for k in params:
        for i in np.ndindex(np.shape(params[k])):
            moved = {key: np.array(v, dtype=float) for key, v in params.items()}
            moved[k][i] += eps
            n.append((loss(moved) - base) / eps)
            a.append(float(np.asarray(grads[k])[i]))
    a, n = np.array(a), np.array(n)
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))
