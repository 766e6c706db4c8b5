import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes must be at least 1")
    shape = np.asarray(model(X, training=True)).shape
    preds = np.zeros((n_passes,) + shape)
    for i in range(n_passes):
        preds[i] = np.asarray(model(X, training=True))
    return preds.mean(axis=0), preds.std(axis=0)
