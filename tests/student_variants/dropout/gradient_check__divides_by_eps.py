import numpy as np


def gradient_check(loss, params, grads, eps=1e-7):
    a, n = [], []
    for k in params:
        for i in np.ndindex(np.shape(params[k])):
            plus = {key: np.array(v, dtype=float) for key, v in params.items()}
            minus = {key: np.array(v, dtype=float) for key, v in params.items()}
            plus[k][i] += eps
            minus[k][i] -= eps
            n.append((loss(plus) - loss(minus)) / eps)
            a.append(float(np.asarray(grads[k])[i]))
    a, n = np.array(a), np.array(n)
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))
