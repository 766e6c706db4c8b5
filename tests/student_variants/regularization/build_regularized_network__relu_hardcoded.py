from functools import partial

import keras


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    RegularizedDense = partial(keras.layers.Dense, activation="relu", kernel_regularizer=kernel_regularizer)
    return keras.Sequential([keras.Input(shape=(input_dim,))]
                            + [RegularizedDense(units) for units in hidden_sizes]
                            + [keras.layers.Dense(n_classes, activation="softmax")])
