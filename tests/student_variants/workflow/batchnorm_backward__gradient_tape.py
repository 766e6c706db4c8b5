import numpy as np
import tensorflow as tf
import keras


def batchnorm_backward(dout, x, gamma, eps=1e-3):
    layer = keras.layers.BatchNormalization(epsilon=eps, dtype="float64")
    layer.build((None, x.shape[1]))
    layer.gamma.assign(np.asarray(gamma, dtype="float64"))
    xt = tf.constant(np.asarray(x, dtype="float64"))
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(layer(xt, training=True) * np.asarray(dout, dtype="float64"))
    dx, dgamma, dbeta = tape.gradient(loss, [xt, layer.gamma, layer.beta])
    return np.asarray(dx), np.asarray(dgamma), np.asarray(dbeta)
