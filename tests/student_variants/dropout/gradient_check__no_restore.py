import numpy as np


def gradient_check(loss, params, grads, eps=1e-7):
    # moves params in place and never puts the entries back
    a, n = [], []
    for k in params:
        value = params[k]
        for i in np.ndindex(np.shape(value)):
            value[i] += eps
            up = loss(params)
            value[i] -= 2 * eps
            down = loss(params)
            n.append((up - down) / (2 * eps))
            a.append(float(np.asarray(grads[k])[i]))
    a, n = np.array(a), np.array(n)
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))
