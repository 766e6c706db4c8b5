import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes must be at least 1")
    outputs = [model(X, training=True) for _ in range(n_passes)]
    passes = np.array([np.asarray(o, dtype=np.float64) for o in outputs])
    return np.mean(passes, axis=0), np.std(passes, axis=0)
