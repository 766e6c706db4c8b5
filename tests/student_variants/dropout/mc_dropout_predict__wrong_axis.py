import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes must be at least 1")
    preds = np.stack([np.asarray(model(X, training=True)) for _ in range(n_passes)])
    return preds.mean(axis=1), preds.std(axis=1)
