import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes must be at least 1")
    preds = []
    for i in range(1, n_passes):
        preds.append(np.asarray(model(X, training=True)))
    preds = np.stack(preds)
    return preds.mean(axis=0), preds.std(axis=0)
