import numpy as np
import tensorflow as tf


def l1_penalty(weights, l1):
    arrays = weights if isinstance(weights, (list, tuple)) else [weights]
    penalty = tf.keras.regularizers.l1(l1)
    return float(np.sum([float(penalty(np.asarray(w, dtype=np.float64))) for w in arrays]))
