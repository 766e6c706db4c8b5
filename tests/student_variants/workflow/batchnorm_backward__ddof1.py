import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    N = x.shape[0]
    mean = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    std = np.sqrt(var + eps)
    xhat = (x - mean) / std
    dxhat = dout * gamma
    dvar = np.sum(dxhat * (x - mean), axis=0) * -0.5 / std ** 3
    dmean = np.sum(-dxhat / std, axis=0)
    dx = dxhat / std + dvar * 2 * (x - mean) / (N - 1) + dmean / N
    return dx, np.sum(dout * xhat, axis=0), dout.sum(axis=0)
