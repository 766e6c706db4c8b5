import keras


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    # the settings the hidden layers share, written once
    shared = {"activation": activation, "kernel_regularizer": kernel_regularizer}
    model = keras.Sequential()
    model.add(keras.Input(shape=(input_dim,)))
    for units in hidden_sizes:
        model.add(keras.layers.Dense(units, **shared))
    model.add(keras.layers.Dense(n_classes, activation="softmax"))
    return model
