import numpy as np
import tensorflow as tf

def batchnorm_backward(dout, x, gamma, eps=1e-3):
    dout = tf.constant(np.asarray(dout, np.float64)); x = tf.constant(np.asarray(x, np.float64))
    g = tf.constant(np.asarray(gamma, np.float64))
    def L(xv, gv):
        c = xv - tf.reduce_mean(xv, 0)
        return tf.reduce_sum(dout * gv * c / tf.sqrt(tf.reduce_mean(c * c, 0) + eps))
    def jvp(fn, primal, n):
        out = np.zeros(primal.shape)
        for i in np.ndindex(tuple(primal.shape)):
            t = np.zeros(primal.shape); t[i] = 1.0
            with tf.autodiff.ForwardAccumulator(primal, tf.constant(t)) as acc:
                y = fn(primal)
            out[i] = acc.jvp(y).numpy()
        return out
    dx = jvp(lambda v: L(v, g), x, None)
    dg = jvp(lambda v: L(x, v), g, None)
    return dx, dg, dout.numpy().sum(0)
