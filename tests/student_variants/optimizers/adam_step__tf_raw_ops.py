import numpy as np
import tensorflow as tf

def adam_step(w, grad, m, v, step, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    if step < 1:
        raise ValueError("step >= 1")
    dt = tf.float64
    var, mv, vv = (tf.Variable(np.asarray(a, np.float64)) for a in (w, m, v))
    c = lambda x: tf.constant(x, dt)
    tf.raw_ops.ResourceApplyAdam(var=var.handle, m=mv.handle, v=vv.handle, beta1_power=c(beta_1 ** step),
                                 beta2_power=c(beta_2 ** step), lr=c(learning_rate), beta1=c(beta_1),
                                 beta2=c(beta_2), epsilon=c(epsilon), grad=c(np.asarray(grad, np.float64)))
    return var.numpy(), mv.numpy(), vv.numpy()
