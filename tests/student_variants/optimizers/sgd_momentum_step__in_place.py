import numpy as np


def sgd_momentum_step(w, grad, velocity, learning_rate=0.01, momentum=0.0, nesterov=False):
    if momentum < 0 or momentum > 1:
        raise ValueError("momentum must be in [0, 1]")
    velocity *= momentum
    velocity -= learning_rate * grad
    if nesterov:
        w += momentum * velocity - learning_rate * grad
    else:
        w += velocity
    return w, velocity
