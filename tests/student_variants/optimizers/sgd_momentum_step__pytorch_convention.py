import numpy as np


def sgd_momentum_step(w, grad, velocity, learning_rate=0.01, momentum=0.0, nesterov=False):
    if momentum < 0 or momentum > 1:
        raise ValueError("momentum must be in [0, 1]")
    buf = momentum * np.asarray(velocity) + np.asarray(grad)
    if nesterov:
        direction = np.asarray(grad) + momentum * buf
    else:
        direction = buf
    return np.asarray(w) - learning_rate * direction, buf
