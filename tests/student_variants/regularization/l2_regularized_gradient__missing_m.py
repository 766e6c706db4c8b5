import numpy as np


def l2_regularized_gradient(dW, W, lambd, m):
    return np.asarray(dW) + lambd * np.asarray(W)
