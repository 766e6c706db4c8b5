import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-3):
    x = np.asarray(x, dtype=np.float64)
    m = x.shape[0]
    mean = x.sum(axis=0) / m
    mean_sq = (x * x).sum(axis=0) / m
    var = np.maximum(mean_sq - mean ** 2, 0.0)
    return gamma * ((x - mean) / np.sqrt(var + eps)) + beta
