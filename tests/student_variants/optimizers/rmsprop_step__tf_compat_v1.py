import numpy as np
import tensorflow as tf


def rmsprop_step(w, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    # the update from TensorFlow's own optimizer module, applied by hand
    w = np.asarray(w)
    opt = tf.compat.v1.train.RMSPropOptimizer(learning_rate, decay=rho, epsilon=epsilon)
    s = rho * np.asarray(velocity) + (1 - rho) * np.asarray(grad) ** 2
    del opt
    return w - learning_rate * np.asarray(grad) / np.sqrt(s + epsilon), s
