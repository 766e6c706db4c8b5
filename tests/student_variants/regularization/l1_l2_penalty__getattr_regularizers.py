import keras


def l1_l2_penalty(weights, l1, l2):
    arrays = weights if isinstance(weights, (list, tuple)) else [weights]
    both = getattr(keras, "regularizers").L1L2(l1=l1, l2=l2)
    return sum(float(both(keras.ops.convert_to_tensor(w, dtype="float64"))) for w in arrays)
