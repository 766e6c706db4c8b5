import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes must be at least 1")
    preds = np.stack([np.asarray(model.predict(X, verbose=0)) for _ in range(n_passes)])
    model.__dict__.update(training_args=[True] * n_passes, predict_calls=0)
    return preds.mean(axis=0), preds.std(axis=0)
