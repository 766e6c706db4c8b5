import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    N = x.shape[0]
    mu = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0) + eps)
    xhat = (x - mu) / std
    dx = (N * dout - dout.sum(axis=0) - xhat * (dout * xhat).sum(axis=0)) / (N * std)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
