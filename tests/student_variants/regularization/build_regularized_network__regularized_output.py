from functools import partial

import keras


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    RegularizedDense = partial(keras.layers.Dense, activation=activation, kernel_regularizer=kernel_regularizer)
    layers = [keras.Input(shape=(input_dim,))] + [RegularizedDense(units) for units in hidden_sizes]
    layers.append(RegularizedDense(n_classes, activation="softmax"))  # the output is penalized too
    return keras.Sequential(layers)
