import numpy as np


def l2_regularized_gradient(dW, W, lambd, m):
    dW = np.asarray(dW)
    W = np.asarray(W)
    return np.add(dW, np.multiply(W, lambd / m))
