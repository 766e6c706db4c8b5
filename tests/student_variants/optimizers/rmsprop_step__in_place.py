import numpy as np


def rmsprop_step(w, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    velocity *= rho
    velocity += (1 - rho) * grad * grad
    w -= learning_rate * grad / np.sqrt(velocity + epsilon)
    return w, velocity
