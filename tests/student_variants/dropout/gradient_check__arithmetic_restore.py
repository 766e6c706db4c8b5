import numpy as np


def gradient_check(loss, params, grads, eps=1e-7):
    # moves the caller's own arrays and puts each entry back by arithmetic (+eps, -2 eps, +eps)
    numeric, analytic = [], []
    for k in params:
        theta = params[k]
        for i in np.ndindex(theta.shape):
            theta[i] += eps
            plus = loss(params)
            theta[i] -= 2 * eps
            minus = loss(params)
            theta[i] += eps
            numeric.append((plus - minus) / (2 * eps))
            analytic.append(float(grads[k][i]))
    numeric, analytic = np.array(numeric), np.array(analytic)
    return float(np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric)))
