import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    m = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    inv = 1 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    dxhat = dout * gamma
    # chain rule through the variance (mu is just a number subtracted)
    dvar = np.sum(dxhat * (x - mu), axis=0) * -0.5 * inv ** 3
    dx = dxhat * inv + dvar * 2 * (x - mu) / m
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
