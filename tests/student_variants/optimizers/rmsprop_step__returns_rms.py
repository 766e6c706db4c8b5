import numpy as np


def rmsprop_step(w, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    # keeps the root mean square as the state
    ms = rho * np.asarray(velocity) ** 2 + (1 - rho) * np.asarray(grad) ** 2
    rms = np.sqrt(ms + epsilon)
    return np.asarray(w) - learning_rate * np.asarray(grad) / rms, rms
