import numpy as np


def sgd_momentum_step(w, grad, velocity, learning_rate=0.01, momentum=0.0, nesterov=False):
    if momentum < 0 or momentum > 1:
        raise ValueError("momentum should be between 0 and 1")
    v = momentum * np.asarray(velocity) - learning_rate * np.asarray(grad)
    if nesterov:
        new_w = np.asarray(w) + momentum * v - learning_rate * np.asarray(grad)
    else:
        new_w = np.asarray(w) + v
    return new_w, v
