import keras
import numpy as np


def sgd_momentum_step(w, grad, velocity, learning_rate=0.01, momentum=0.0, nesterov=False):
    if momentum < 0 or momentum > 1:
        raise ValueError("momentum must be in [0, 1]")
    w = np.asarray(w)
    dtype = str(w.dtype)
    mu = np.float64(momentum) if dtype == "float64" else float(momentum)
    opt = keras.optimizers.SGD(learning_rate=learning_rate, momentum=mu, nesterov=nesterov)
    var = keras.Variable(w, dtype=dtype)
    opt.build([var])
    if momentum:
        opt.momentums[0].assign(np.asarray(velocity, dtype=dtype))
    opt.apply_gradients([(keras.ops.convert_to_tensor(np.asarray(grad, dtype=dtype)), var)])
    new_w = np.asarray(var.numpy())
    new_v = np.asarray(opt.momentums[0].numpy()) if momentum else new_w - w
    return new_w, new_v
