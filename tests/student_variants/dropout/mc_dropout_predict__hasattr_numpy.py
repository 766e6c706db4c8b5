import numpy as np


def _to_numpy(t):
    if hasattr(t, "numpy"):
        return t.numpy()
    return np.asarray(t)


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes < 1")
    samples = np.array([_to_numpy(model(X, training=True)) for _ in range(n_passes)])
    return samples.mean(0), samples.std(0)
