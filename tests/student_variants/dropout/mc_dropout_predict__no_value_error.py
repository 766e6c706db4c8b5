import numpy as np


def mc_dropout_predict(model, X, n_passes):
    total = 0.0
    total_sq = 0.0
    for _ in range(n_passes):
        p = np.asarray(model(X, training=True), dtype=float)
        total = total + p
        total_sq = total_sq + p ** 2
    mean = total / n_passes
    var = np.maximum(total_sq / n_passes - mean ** 2, 0.0)
    return np.asarray(mean), np.sqrt(var)
