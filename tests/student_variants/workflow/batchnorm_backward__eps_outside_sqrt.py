import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    m = len(x)
    mu = x.mean(0)
    sigma = np.sqrt(x.var(0))
    denom = sigma + eps
    xhat = (x - mu) / denom
    dxhat = dout * gamma
    ddenom = -np.sum(dxhat * (x - mu), 0) / denom ** 2
    dvar = ddenom / (2 * sigma)
    dmu = -np.sum(dxhat, 0) / denom
    dx = dxhat / denom + dvar * 2 * (x - mu) / m + dmu / m
    return dx, np.sum(dout * xhat, 0), np.sum(dout, 0)
