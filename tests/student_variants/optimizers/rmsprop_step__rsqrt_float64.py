import numpy as np


def rmsprop_step(w, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    g = np.array(grad, dtype=np.float64)
    avg = np.add(np.multiply(rho, velocity), np.multiply(1.0 - rho, g * g))
    inv_rms = 1.0 / np.power(avg + epsilon, 0.5)
    return np.array(w, dtype=np.float64) - learning_rate * g * inv_rms, avg
