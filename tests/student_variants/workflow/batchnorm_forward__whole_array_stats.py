import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-3):
    x = np.asarray(x, dtype=float)
    return gamma * (x - x.mean()) / np.sqrt(x.var() + eps) + beta
