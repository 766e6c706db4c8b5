import numpy as np


def adam_step(w, grad, m, v, step, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    if not step >= 1:
        raise ValueError(f"step must be >= 1, got {step}")
    grad = np.array(grad, dtype=np.float64)
    m = np.array(m, dtype=np.float64)
    v = np.array(v, dtype=np.float64)
    m = m + (grad - m) * (1 - beta_1)
    v = v + (grad ** 2 - v) * (1 - beta_2)
    bias1 = 1 - np.power(beta_1, step)
    bias2 = 1 - np.power(beta_2, step)
    # the paper's form with epsilon rescaled so that it sits on the uncorrected sqrt(v)
    m_hat = m / bias1
    v_hat = v / bias2
    eps_hat = epsilon / np.sqrt(bias2)
    w_new = np.array(w, dtype=np.float64) - learning_rate * m_hat / (np.sqrt(v_hat) + eps_hat)
    return w_new, m, v
