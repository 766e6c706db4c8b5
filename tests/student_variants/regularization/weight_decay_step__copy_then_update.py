import numpy as np


def weight_decay_step(W, dW, learning_rate, lambd, m):
    new_W = np.array(W, dtype=np.result_type(W, dW, float))  # copy
    new_W *= 1.0 - learning_rate * lambd / m
    new_W -= learning_rate * np.asarray(dW)
    return new_W
