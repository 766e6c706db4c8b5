import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes must be positive")
    mean = None
    m2 = None
    for k in range(1, n_passes + 1):
        p = np.asarray(model(X, training=True), dtype=np.float64)
        if mean is None:
            mean = np.zeros_like(p)
            m2 = np.zeros_like(p)
        delta = p - mean
        mean += delta / k
        m2 += delta * (p - mean)
    return mean, np.sqrt(m2 / n_passes)
