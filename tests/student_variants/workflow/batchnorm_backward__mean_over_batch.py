import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    N = x.shape[0]
    mu = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0) + eps)
    xhat = (x - mu) / std
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) / std
    # parameters: average gradient over the batch
    dgamma = np.mean(dout * xhat, axis=0)
    dbeta = np.mean(dout, axis=0)
    return dx, dgamma, dbeta
