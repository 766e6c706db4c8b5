import numpy as np


def adam_step(w, grad, m, v, step, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    if step < 1:
        raise ValueError("step starts at 1")
    m = beta_1 * np.asarray(m) + (1 - beta_1) * np.asarray(grad)
    v = beta_2 * np.asarray(v) + (1 - beta_2) * np.asarray(grad) ** 2
    m_hat = m / (1 - beta_1 ** step)
    v_hat = v / (1 - beta_2 ** step)
    scale = np.sqrt(1 - beta_2 ** step)
    return np.asarray(w) - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon / scale), m_hat, v_hat
