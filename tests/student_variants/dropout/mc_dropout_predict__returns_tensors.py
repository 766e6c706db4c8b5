import keras


def mc_dropout_predict(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes must be at least 1")
    stacked = keras.ops.stack([model(X, training=True) for _ in range(n_passes)])
    return keras.ops.mean(stacked, axis=0), keras.ops.std(stacked, axis=0)
