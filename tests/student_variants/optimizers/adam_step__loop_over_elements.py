import math

import numpy as np


def adam_step(w, grad, m, v, step, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    if step <= 0:
        raise ValueError("the first step is 1")
    shape = np.shape(w)
    w_list = np.asarray(w, dtype=float).ravel().tolist()
    g_list = np.asarray(grad, dtype=float).ravel().tolist()
    m_list = np.asarray(m, dtype=float).ravel().tolist()
    v_list = np.asarray(v, dtype=float).ravel().tolist()
    alpha = learning_rate * math.sqrt(1.0 - beta_2 ** step) / (1.0 - beta_1 ** step)
    out_w, out_m, out_v = [], [], []
    for wi, gi, mi, vi in zip(w_list, g_list, m_list, v_list):
        mi = beta_1 * mi + (1.0 - beta_1) * gi
        vi = beta_2 * vi + (1.0 - beta_2) * gi * gi
        out_w.append(wi - alpha * mi / (math.sqrt(vi) + epsilon))
        out_m.append(mi)
        out_v.append(vi)
    return (np.array(out_w).reshape(shape), np.array(out_m).reshape(shape), np.array(out_v).reshape(shape))
