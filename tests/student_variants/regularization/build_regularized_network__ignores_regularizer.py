from functools import partial

import keras


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    HiddenDense = partial(keras.layers.Dense, activation=activation)
    model = keras.Sequential([keras.Input(shape=(input_dim,))])
    for units in hidden_sizes:
        model.add(HiddenDense(units))
    model.add(keras.layers.Dense(n_classes, activation="softmax"))
    return model
