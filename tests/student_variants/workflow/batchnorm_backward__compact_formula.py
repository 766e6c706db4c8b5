import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    x = np.array(x, dtype=float)
    dout = np.array(dout, dtype=float)
    N = x.shape[0]
    mean = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0) + eps)
    xhat = (x - mean) / std
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * np.sum(dxhat * xhat, axis=0)) / (N * std)
    return dx, dgamma, dbeta
