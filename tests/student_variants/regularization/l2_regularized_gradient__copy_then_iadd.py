import numpy as np


def l2_regularized_gradient(dW, W, lambd, m):
    grad = np.array(dW, dtype=np.result_type(dW, W, float), copy=True)
    grad += lambd * W / m
    return grad
