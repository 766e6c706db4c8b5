import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes must be at least 1")
    total, total_sq = 0.0, 0.0
    for _ in range(n_passes):
        p = np.asarray(model.__call__(X, training=True), dtype=np.float64)
        total = total + p
        total_sq = total_sq + p * p
    mean = total / n_passes
    return mean, np.sqrt(np.maximum(total_sq / n_passes - mean * mean, 0.0))
