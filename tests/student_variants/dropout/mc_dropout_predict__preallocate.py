import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if not n_passes >= 1:
        raise ValueError("n_passes must be at least 1")
    first = np.asarray(model(X, training=True))
    preds = np.empty((n_passes,) + first.shape, dtype=first.dtype)
    preds[0] = first
    for i in range(1, n_passes):
        preds[i] = np.asarray(model(X, training=True))
    return np.mean(preds, axis=0), np.std(preds, axis=0, ddof=0)
