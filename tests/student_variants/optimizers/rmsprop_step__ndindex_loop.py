import math

import numpy as np


def rmsprop_step(w, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    w = np.asarray(w, dtype=np.float64)
    new_w = np.empty_like(w)
    new_s = np.empty_like(w)
    for idx in np.ndindex(w.shape):
        g = float(grad[idx])
        s = rho * float(velocity[idx]) + (1.0 - rho) * g * g
        new_s[idx] = s
        new_w[idx] = w[idx] - learning_rate * g / math.sqrt(s + epsilon)
    return new_w, new_s
