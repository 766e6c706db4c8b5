import keras
import numpy as np


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes must be >= 1")
    outputs = []
    for _ in range(n_passes):
        y = model(X, training=True)
        outputs.append(keras.ops.convert_to_numpy(y))
    outputs = np.array(outputs)
    mean = np.mean(outputs, axis=0)
    std = np.sqrt(np.mean((outputs - mean) ** 2, axis=0))
    return mean, std
