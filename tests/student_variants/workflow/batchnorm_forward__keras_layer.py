import keras
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-3):
    x = np.asarray(x, dtype="float64")
    layer = keras.layers.BatchNormalization(epsilon=eps, dtype="float64")
    layer.build(x.shape)
    layer.gamma.assign(np.asarray(gamma, dtype="float64"))
    layer.beta.assign(np.asarray(beta, dtype="float64"))
    return keras.ops.convert_to_numpy(layer(x, training=True))
