import numpy as np


def rmsprop_step(w, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    s = rho * np.asarray(velocity) + (1 - rho) * np.square(grad)
    return np.asarray(w) - learning_rate * np.asarray(grad) / np.sqrt(s + epsilon), s
