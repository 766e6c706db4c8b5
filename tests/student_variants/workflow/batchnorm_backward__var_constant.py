import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    m = x.shape[0]
    mu = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0) + eps)
    xhat = (x - mu) / std
    dxhat = dout * gamma
    dmu = -np.sum(dxhat / std, axis=0)
    dx = dxhat / std + dmu / m
    dgamma = np.sum(dout * xhat, axis=0)
    dbeta = np.sum(dout, axis=0)
    return dx, dgamma, dbeta
