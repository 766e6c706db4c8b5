import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    # forward again, keeping every intermediate node
    m = x.shape[0]
    mu = np.sum(x, axis=0) / m
    xmu = x - mu
    sq = xmu ** 2
    var = np.sum(sq, axis=0) / m
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar

    # backward, one node at a time
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / (sqrtvar ** 2) * divar
    dvar = 0.5 / np.sqrt(var + eps) * dsqrtvar
    dsq = np.ones_like(x) * dvar / m
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -np.sum(dxmu1 + dxmu2, axis=0)
    dx2 = np.ones_like(x) * dmu / m
    dx = dx1 + dx2
    return dx, dgamma, dbeta
