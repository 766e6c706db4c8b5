import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-3):
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    return gamma * (x - mean) / (var + eps) + beta
