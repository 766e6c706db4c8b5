import numpy as np


def adam_step(w, grad, m, v, step, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * np.asarray(m) + (1 - beta_1) * np.asarray(grad)
    v = beta_2 * np.asarray(v) + (1 - beta_2) * np.asarray(grad) ** 2
    lr_t = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    return np.asarray(w) - lr_t * m / (np.sqrt(v) + epsilon), m, v
