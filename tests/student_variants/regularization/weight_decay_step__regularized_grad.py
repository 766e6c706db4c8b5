import numpy as np


def weight_decay_step(W, dW, learning_rate, lambd, m):
    W = np.asarray(W)
    grad = np.asarray(dW) + (lambd / m) * W
    return W - learning_rate * grad
