import numpy as np


def rmsprop_step(w, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    s = (1 - rho) * np.asarray(velocity) + rho * np.asarray(grad) ** 2
    return np.asarray(w) - learning_rate * np.asarray(grad) / np.sqrt(s + epsilon), s
