import math

import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    n, d = x.shape
    dx = np.zeros((n, d))
    dgamma = np.zeros(d)
    dbeta = np.zeros(d)
    for j in range(d):
        col = [float(v) for v in x[:, j]]
        g = [float(v) for v in dout[:, j]]
        mu = sum(col) / n
        var = sum((v - mu) ** 2 for v in col) / n
        s = math.sqrt(var + eps)
        xh = [(v - mu) / s for v in col]
        dbeta[j] = sum(g)
        dgamma[j] = sum(gi * hi for gi, hi in zip(g, xh))
        dxh = [gi * float(gamma[j]) for gi in g]
        # gradient wrt variance and mean, then chain rule for each sample
        dvar = sum(dxh[i] * (col[i] - mu) for i in range(n)) * -0.5 * (var + eps) ** -1.5
        dmu = sum(-dxh[i] / s for i in range(n)) + dvar * sum(-2 * (col[i] - mu) for i in range(n)) / n
        for i in range(n):
            dx[i, j] = dxh[i] / s + dvar * 2 * (col[i] - mu) / n + dmu / n
    return dx, dgamma, dbeta
