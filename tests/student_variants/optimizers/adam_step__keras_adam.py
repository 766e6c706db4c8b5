import keras
import numpy as np
from keras.optimizers import Adam as KerasAdam


def adam_step(w, grad, m, v, step, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    if step < 1:
        raise ValueError("step starts at 1")
    w = np.asarray(w)
    dtype = str(w.dtype)
    cast = np.float64 if dtype == "float64" else float
    opt = KerasAdam(learning_rate=learning_rate, beta_1=cast(beta_1), beta_2=cast(beta_2), epsilon=cast(epsilon))
    var = keras.Variable(w, dtype=dtype)
    opt.build([var])
    opt.iterations.assign(step - 1)
    opt._momentums[0].assign(np.asarray(m, dtype=dtype))
    opt._velocities[0].assign(np.asarray(v, dtype=dtype))
    opt.apply_gradients([(keras.ops.convert_to_tensor(np.asarray(grad, dtype=dtype)), var)])
    return np.asarray(var.numpy()), np.asarray(opt._momentums[0].numpy()), np.asarray(opt._velocities[0].numpy())
