import math

import numpy as np


def adam_step(w, grad, m, v, step, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    if step < 1:
        raise ValueError("step starts at 1")
    g = np.asarray(grad)
    m_new = beta_1 * np.asarray(m) + (1 - beta_1) * g
    v_new = beta_2 * np.asarray(v) + (1 - beta_2) * g * g
    lr_t = learning_rate * math.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    return np.asarray(w) - lr_t * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new
